/* What only the STM32F4 has: SysTick as a polled millisecond tick (for the flash driver's
 * timeouts) and the USART1 interrupt. Everything else of device/port.h is port/cortex-m/; the
 * slots are port/cortex-m/slots_ram.c (FWV_SLOTS_IN=sram) or slots_flash.c. */
#include "../../device/device.h"
#include "board.h"

void stm32f4_tick_start(void)
{
    SYST_CSR = 0;
    SYST_RVR = SYSCLK_HZ / 1000u - 1u;
    SYST_CVR = 0;
    SYST_CSR = SYST_CSR_ENABLE | SYST_CSR_CLKSOURCE;
}

int stm32f4_tick(void) { return (SYST_CSR & SYST_CSR_COUNTFLAG) != 0; /* reading clears it */ }

/* USART1 interrupt (RXNEIE only): every byte goes straight into the frame decoder. Reading SR
 * then DR also clears an overrun. */
void usart1_handler(void)
{
    while (USART1_SR & USART_SR_RXNE) {
        uint8_t b = (uint8_t)USART1_DR;
        fwv_device_rx(&b, 1);
    }
}
