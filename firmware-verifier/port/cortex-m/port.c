/* device/port.h for every Cortex-M board, except the slot storage (slots_ram.c or the board's
 * own flash driver) and what board.h supplies: the layout from the memory map, the console
 * UART, its receive interrupt, the boot-request word, reset through SYSRESETREQ, a jump through
 * an image's vector table, and the stack high-water mark. */
#include "../../device/device.h"
#include "../../device/port.h"
#include "board.h"
#include "cortex_m.h"

static const fwv_layout layout = {
    .active = FWV_ACTIVE_ADDR,
    .staging = FWV_STAGING_ADDR,
    .scratch = FWV_SCRATCH_ADDR,
    .slot_size = FWV_SLOT_SIZE,
    .sector_size = FWV_SECTOR_SIZE,
    .anchors = FWV_ANCHORS_ADDR,
    .anchors_size = FWV_ANCHORS_SIZE,
    .ram_start = FWV_APP_RAM_ADDR,
    .ram_end = FWV_SRAM_END,
};

const fwv_layout *port_layout(void) { return &layout; }

void port_uart_write(const uint8_t *data, size_t len)
{
    for (size_t i = 0; i < len; i++) board_console_putc(data[i]);
}

void port_irq_disable(void)
{
    NVIC_ICER(BOARD_RX_IRQ / 32) = 1u << (BOARD_RX_IRQ % 32);
    __asm volatile("dsb\n isb" ::: "memory");
}
void port_irq_enable(void) { NVIC_ISER(BOARD_RX_IRQ / 32) = 1u << (BOARD_RX_IRQ % 32); }

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
    board_console_drain(); /* let the last byte out */
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
    /* Hand over a quiet core: no interrupt of ours enabled or pending, SysTick stopped, the UART
     * as after reset (a board's clock and pin set-up stays; the image does it again). */
    __asm volatile("cpsid i" ::: "memory");
    for (int i = 0; i < BOARD_NVIC_REGS; i++) {
        NVIC_ICER(i) = 0xFFFFFFFFu;
        NVIC_ICPR(i) = 0xFFFFFFFFu;
    }
    SYST_CSR = 0;
    SCB_ICSR = ICSR_PENDSTCLR;
    board_console_drain();
    board_console_off();
    SCB_VTOR = addr;
    __asm volatile("dsb\n isb" ::: "memory");
    __asm volatile("msr msp, %0\n"
                   "cpsie i\n"
                   "bx %1\n" ::"r"(sp), "r"(pc) : "memory");
    __builtin_unreachable();
}

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
