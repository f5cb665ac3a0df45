/* Vector table and reset handler shared by the verifier and the test application: copy .data,
 * zero .bss, call main. Handlers an image does not define fall back to a spin loop. */
#include <stdint.h>

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
void uart0_rx_handler(void) __attribute__((weak, alias("default_handler")));

typedef void (*vector)(void);
__attribute__((section(".vectors"), used)) static const vector vectors[16 + 32] = {
    (vector)(uintptr_t)&_estack, /* initial MSP */
    reset_handler,
    nmi_handler,
    hardfault_handler,
    default_handler, default_handler, default_handler, /* MemManage, BusFault, UsageFault */
    0, 0, 0, 0,                                        /* reserved */
    default_handler,                                   /* SVCall */
    default_handler, 0,                                /* DebugMon, reserved */
    default_handler, default_handler,                  /* PendSV, SysTick */
    uart0_rx_handler,                                  /* IRQ 0: UART0 RX */
    /* IRQs 1..31 are never enabled: zero entries */
};

void reset_handler(void)
{
    uint32_t *src = &_sidata, *dst = &_sdata;
    while (dst < &_edata) *dst++ = *src++;
    for (dst = &_sbss; dst < &_ebss;) *dst++ = 0;
    main();
    for (;;) {}
}
