/* device/port.h for QEMU's mps2-an386: slots in the code RAM at 0 (standing in for flash),
 * UART0 with an RX interrupt, SYSRESETREQ, and a jump through the image's vector table. */
#include <string.h>

#include "../../device/device.h"
#include "../../device/port.h"
#include "../../ld/memmap.h"
#include "cmsdk.h"

static const fwv_layout layout = {
    .active = FWV_ACTIVE_ADDR,
    .staging = FWV_STAGING_ADDR,
    .slot_size = FWV_SLOT_SIZE,
    .sector_size = FWV_SECTOR_SIZE,
    .anchors = FWV_ANCHORS_ADDR,
    .anchors_size = FWV_ANCHORS_SIZE,
};

const fwv_layout *port_layout(void) { return &layout; }

/* Only the two slots may be erased or written: the verifier and the anchors are off limits. */
static int writable(uint32_t addr, size_t len)
{
    return addr >= FWV_ACTIVE_ADDR && addr <= FWV_STAGING_ADDR + FWV_SLOT_SIZE &&
           len <= FWV_STAGING_ADDR + FWV_SLOT_SIZE - addr;
}

int port_flash_erase(uint32_t addr)
{
    if (addr % FWV_SECTOR_SIZE != 0 || !writable(addr, FWV_SECTOR_SIZE)) return -1;
    memset((void *)(uintptr_t)addr, 0xFF, FWV_SECTOR_SIZE);
    return 0;
}

int port_flash_write(uint32_t addr, const uint8_t *data, size_t len)
{
    if (!writable(addr, len)) return -1;
    volatile uint8_t *p = (volatile uint8_t *)(uintptr_t)addr;
    for (size_t i = 0; i < len; i++) p[i] &= data[i]; /* flash programming only clears bits */
    return 0;
}

int port_flash_read(uint32_t addr, uint8_t *data, size_t len)
{
    memcpy(data, (const void *)(uintptr_t)addr, len);
    return 0;
}

const uint8_t *port_flash_map(uint32_t addr, size_t len)
{
    (void)len;
    return (const uint8_t *)(uintptr_t)addr;
}

void port_uart_write(const uint8_t *data, size_t len)
{
    for (size_t i = 0; i < len; i++) uart0_putc(data[i]);
}

void port_irq_disable(void) { NVIC_ICER(0) = 1u << UART0_RX_IRQ; __asm volatile("dsb\n isb" ::: "memory"); }
void port_irq_enable(void) { NVIC_ISER0 = 1u << UART0_RX_IRQ; }

void port_idle(void)
{
    __asm volatile("wfi");
}

void port_boot_request_set(uint32_t mode) { REG32(FWV_BOOT_REQUEST_ADDR) = mode; }

uint32_t port_boot_request_take(void)
{
    uint32_t m = REG32(FWV_BOOT_REQUEST_ADDR);
    REG32(FWV_BOOT_REQUEST_ADDR) = 0;
    return m;
}

void port_reset(void)
{
    while (UART_STATE & UART_STATE_TXFULL) {} /* let the last byte out */
    __asm volatile("dsb" ::: "memory");
    SCB_AIRCR = AIRCR_SYSRESETREQ;
    __asm volatile("dsb" ::: "memory");
    for (;;) {}
}

void port_jump(uint32_t addr)
{
    const volatile uint32_t *vt = (const volatile uint32_t *)(uintptr_t)addr;
    uint32_t sp = vt[0], pc = vt[1];
    /* A verified image with a nonsense vector table is still not entered. */
    if (sp < FWV_APP_RAM_ADDR || sp > FWV_SRAM_END || (sp & 3u) != 0 || (pc & 1u) == 0 ||
        pc < addr || pc >= addr + FWV_SLOT_SIZE - FWV_SECTOR_SIZE)
        return;
    /* Hand over a quiet core: no interrupt of ours enabled or pending, UART as after reset. */
    __asm volatile("cpsid i" ::: "memory");
    NVIC_ICER(0) = 0xFFFFFFFFu;
    NVIC_ICPR(0) = 0xFFFFFFFFu;
    SYST_CSR = 0;
    while (UART_STATE & UART_STATE_TXFULL) {}
    UART_CTRL = 0;
    SCB_VTOR = addr;
    __asm volatile("dsb\n isb" ::: "memory");
    __asm volatile("msr msp, %0\n"
                   "cpsie i\n"
                   "bx %1\n" ::"r"(sp), "r"(pc) : "memory");
    __builtin_unreachable();
}

/* Stack high-water mark: main() paints the free stack at boot, this finds the deepest write. */
#define STACK_PAINT 0x5AC4DEADu
extern uint32_t _ebss, _estack;

void port_stack_paint(void)
{
    uint32_t *p = &_ebss;
    uint32_t *sp;
    __asm volatile("mov %0, sp" : "=r"(sp));
    while (p < sp - 16) *p++ = STACK_PAINT; /* keep clear of this frame */
}

uint32_t port_stack_peak(void)
{
    const uint32_t *p = &_ebss;
    while (p < &_estack && *p == STACK_PAINT) p++;
    return (uint32_t)((uintptr_t)&_estack - (uintptr_t)p);
}

/* UART0 receive interrupt: every byte goes straight into the frame decoder. */
void uart0_rx_handler(void);
void uart0_rx_handler(void)
{
    UART_INTSTATUS = UART_INT_RX;
    while (UART_STATE & UART_STATE_RXFULL) {
        uint8_t b = (uint8_t)UART_DATA;
        fwv_device_rx(&b, 1);
    }
}
