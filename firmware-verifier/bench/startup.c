/* Minimal Cortex-M4 start-up for the benchmark: vector table, .data/.bss, semihosting I/O. */
#include <stdint.h>
#include <string.h>
#include "bench.h"

extern uint32_t _sidata[], _sdata[], _edata[], _sbss[], _ebss[], _estack[];
int main(void);
void reset_handler(void);

static void fault_handler(void)
{
    bench_puts("bench: fault\n");
    bench_exit(1);
}

__attribute__((section(".vectors"), used)) static void (*const vectors[16])(void) = {
    (void (*)(void))(uintptr_t)_estack,
    reset_handler,
    fault_handler,
    fault_handler,
    fault_handler,
    fault_handler,
    fault_handler,
    0,
    0,
    0,
    0,
    fault_handler,
    fault_handler,
    0,
    fault_handler,
    fault_handler,
};

void reset_handler(void)
{
    memcpy(_sdata, _sidata, (size_t)((char *)_edata - (char *)_sdata));
    memset(_sbss, 0, (size_t)((char *)_ebss - (char *)_sbss));
    bench_exit(main());
}

/* ARM semihosting: r0 = operation, r1 = argument, BKPT 0xAB */
static uint32_t semihost(uint32_t op, const void *arg)
{
    register uint32_t r0 __asm__("r0") = op;
    register const void *r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

void bench_puts(const char *s) { semihost(0x04, s); /* SYS_WRITE0 */ }

void bench_exit(int code)
{
    /* SYS_EXIT: on AArch32 r1 is the reason itself. ApplicationExit makes QEMU exit 0, any
     * other reason (RunTimeErrorUnknown) exit 1. */
    semihost(0x18, (const void *)(uintptr_t)(code ? 0x20023u : 0x20026u));
    for (;;) {}
}
