/*
 * Instruction counts of the verifier on the emulated Cortex-M4 (QEMU mps2-an386 under
 * -icount shift=0, where the virtual clock advances a fixed step per instruction). SysTick
 * runs from that clock; a loop of a known instruction count calibrates ticks to instructions
 * in the same run, so the figures do not depend on the board's clock frequency.
 */
#include <stdint.h>
#include <string.h>
#include "bench.h"
#include "fwv/verify.h"
#include "../test/fixtures.h"

#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)
#define RELOAD 0xFFFFFFu

static void tick_start(void) { SYST_CVR = 0; }   /* restart the 24-bit down-counter */
static uint32_t tick_read(void) { return RELOAD - SYST_CVR; }

/* exactly 2 * n instructions: subs + bne per iteration */
static void __attribute__((noinline)) spin(uint32_t n)
{
    __asm__ volatile("1: subs %0, %0, #1\n bne 1b" : "+r"(n) : : "cc");
}

static void put_u(uint32_t v)
{
    char b[12];
    int i = 11;
    b[i] = 0;
    do {
        b[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    bench_puts(b + i);
}

/* v / 100 with two decimals */
static void put_centi(uint32_t v)
{
    put_u(v / 100);
    bench_puts(v % 100 < 10 ? ".0" : ".");
    put_u(v % 100);
}

static void unhex(const char *h, uint8_t *o)
{
    while (h[0] && h[1]) {
        int a = h[0] <= '9' ? h[0] - '0' : (h[0] | 32) - 'a' + 10;
        int b = h[1] <= '9' ? h[1] - '0' : (h[1] | 32) - 'a' + 10;
        *o++ = (uint8_t)(a << 4 | b);
        h += 2;
    }
}

static uint8_t image[16384];
static uint8_t eckey[FWV_TA_KEY_SIZE], rsakey[FWV_TA_KEY_SIZE], ecsig[72], rsasig[256];

/* instructions per tick, as a fixed-point ratio over 4M calibration instructions */
static uint32_t cal_ticks;
#define CAL_INSNS 4000000u

static uint32_t to_insns(uint32_t ticks)
{
    return (uint32_t)(((uint64_t)ticks * CAL_INSNS + cal_ticks / 2) / cal_ticks);
}

static void report(const char *what, uint32_t insns, const char *unit)
{
    bench_puts(what);
    bench_puts(": ");
    put_u(insns);
    bench_puts(unit);
    bench_puts("\n");
}

int main(void)
{
    fwv_anchor ec, rsa;
    uint8_t digest[32];
    fwv_sha256_ctx s2;
    fwv_sha1_ctx s1;
    fwv_result r;
    uint32_t t, t2;
    size_t i;

    SYST_RVR = RELOAD;
    SYST_CSR = 5;  /* enable, processor clock, no interrupt */
    tick_start();
    spin(CAL_INSNS / 2);
    cal_ticks = tick_read();
    if (cal_ticks == 0) {
        bench_puts("bench: SysTick does not count\n");
        return 1;
    }

    unhex(WP_EC_PUB, eckey);
    unhex(WP_EC_SIG, ecsig);
    unhex(WP_RSA_MOD, rsakey);
    rsakey[257] = 1;
    rsakey[259] = 1;      /* e = 65537 */
    unhex(WP_RSA_SIG, rsasig);
    ec.key_type = FWV_KEY_EC_P256;
    ec.key = eckey;
    ec.name = ec.cert_sha256 = eckey;
    ec.name_len = 0;
    rsa.key_type = FWV_KEY_RSA_2048;
    rsa.key = rsakey;
    rsa.name = rsa.cert_sha256 = rsakey;
    rsa.name_len = 0;
    for (i = 0; i < sizeof image; i++) image[i] = (uint8_t)(i * 7 + 1);

    bench_puts("fwv bench: Cortex-M4 (arm-none-eabi-gcc -O2 -mcpu=cortex-m4 -mthumb), QEMU mps2-an386 -icount shift=0\n");

    /* P-256: SHA-256 of the empty image, then DER + ECDSA verify */
    fwv_sha256_init(&s2);
    fwv_sha256_final(&s2, digest);
    tick_start();
    r = fwv_verify_digest(FWV_ALG_SHA256_ECDSA, &ec, digest, ecsig, (sizeof WP_EC_SIG - 1) / 2);
    t = tick_read();
    if (r != FWV_OK) {
        bench_puts("bench: P-256 verify failed: ");
        bench_puts(fwv_result_name(r));
        bench_puts("\n");
        return 1;
    }
    report("P-256 ECDSA verify (DER + verify)", to_insns(t), " instructions");

    /* RSA-2048: SHA-1 of 20 zero bytes, then PKCS#1 v1.5 verify */
    memset(image, 0, 20);
    fwv_sha1_init(&s1);
    fwv_sha1_update(&s1, image, 20);
    fwv_sha1_final(&s1, digest);
    tick_start();
    r = fwv_verify_digest(FWV_ALG_SHA1_RSA, &rsa, digest, rsasig, sizeof rsasig);
    t = tick_read();
    if (r != FWV_OK) {
        bench_puts("bench: RSA verify failed: ");
        bench_puts(fwv_result_name(r));
        bench_puts("\n");
        return 1;
    }
    report("RSA-2048 PKCS#1 v1.5 verify (e = 65537)", to_insns(t), " instructions");

    /* hashes: marginal cost per byte, 16 KiB minus 4 KiB so set-up and padding cancel */
    tick_start();
    fwv_sha256_init(&s2);
    fwv_sha256_update(&s2, image, 4096);
    fwv_sha256_final(&s2, digest);
    t = tick_read();
    tick_start();
    fwv_sha256_init(&s2);
    fwv_sha256_update(&s2, image, 16384);
    fwv_sha256_final(&s2, digest);
    t2 = tick_read();
    bench_puts("SHA-256: ");
    put_centi(to_insns(t2 - t) * 100 / 12288);
    bench_puts(" instructions/byte (");
    put_u(to_insns(t2));
    bench_puts(" for 16 KiB)\n");

    tick_start();
    fwv_sha1_init(&s1);
    fwv_sha1_update(&s1, image, 4096);
    fwv_sha1_final(&s1, digest);
    t = tick_read();
    tick_start();
    fwv_sha1_init(&s1);
    fwv_sha1_update(&s1, image, 16384);
    fwv_sha1_final(&s1, digest);
    t2 = tick_read();
    bench_puts("SHA-1: ");
    put_centi(to_insns(t2 - t) * 100 / 12288);
    bench_puts(" instructions/byte (");
    put_u(to_insns(t2));
    bench_puts(" for 16 KiB)\n");

    bench_puts("calibration: ");
    put_u(cal_ticks);
    bench_puts(" SysTick ticks per 4000000 instructions\n");
    return 0;
}
