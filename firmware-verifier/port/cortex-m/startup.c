/* Vector table and reset handler shared by the verifier and the test application on every
 * Cortex-M board: copy .data, zero .bss, call main. Handlers an image does not define fall back
 * to a spin loop; of the board's interrupts only the console's receive interrupt has an entry,
 * the others are never enabled. */
#include <stdint.h>

#include "board.h"
#include "cortex_m.h"

extern uint32_t _estack, _sidata, _sdata, _edata, _sbss, _ebss;
int main(void);

void reset_handler(void);
void default_handler(void);
void default_handler(void)
{
    for (;;) {}
}
void nmi_handler(void) __attribute__((weak, alias("default_handler")));
void hardfault_handler(void) __attribute__((weak, alias("default_handler")));
void BOARD_RX_HANDLER(void) __attribute__((weak, alias("default_handler")));

typedef void (*vector)(void);
__attribute__((section(".vectors"), used)) static const vector vectors[16 + BOARD_IRQS] = {
    [0] = (vector)(uintptr_t)&_estack, /* initial MSP */
    [1] = reset_handler,
    [2] = nmi_handler,
    [3] = hardfault_handler,
    [4] = default_handler,  /* MemManage */
    [5] = default_handler,  /* BusFault */
    [6] = default_handler,  /* UsageFault */
    [11] = default_handler, /* SVCall */
    [12] = default_handler, /* DebugMon */
    [14] = default_handler, /* PendSV */
    [15] = default_handler, /* SysTick: never enabled as an interrupt */
    [16 + BOARD_RX_IRQ] = BOARD_RX_HANDLER,
};

void reset_handler(void)
{
    uint32_t *src = &_sidata, *dst = &_sdata;
    while (dst < &_edata) *dst++ = *src++;
    for (dst = &_sbss; dst < &_ebss;) *dst++ = 0;
    main();
    for (;;) {}
}
