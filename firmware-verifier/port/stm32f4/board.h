/* STM32F405/F407 for port/cortex-m/ (see cortex_m.h for the contract): the memory map (slots in
 * SRAM or, with FWV_SLOTS_IN_FLASH, in flash), and USART1 as the console, IRQ 37. */
#ifndef FWV_PORT_STM32F4_BOARD_H
#define FWV_PORT_STM32F4_BOARD_H

#include "stm32f4.h"

#define BOARD_IRQS 82     /* on the F405/F407 (QEMU models 96; the rest are never enabled) */
#define BOARD_NVIC_REGS 3 /* 82 interrupts: three 32-bit registers */
#define BOARD_RX_IRQ USART1_IRQ
#define BOARD_RX_HANDLER usart1_handler
void usart1_handler(void);

/* SysTick first: the flash driver bounds its waits with it. */
static inline void board_console_init(void)
{
    stm32f4_tick_start();
    usart1_init(0);
}
static inline void board_console_putc(uint8_t c) { usart1_putc(c); }
#define board_console_puts usart1_puts
static inline void board_console_rx_on(void) { USART1_CR1 |= USART_CR1_RE | USART_CR1_RXNEIE; }
/* Waits until the last byte has left the shift register, not just the data register. */
static inline void board_console_drain(void)
{
    while ((USART1_SR & (USART_SR_TXE | USART_SR_TC)) != (USART_SR_TXE | USART_SR_TC)) {}
}
/* USART1 as after reset; its clock and pins stay on. */
static inline void board_console_off(void) { USART1_CR1 = 0; }

#endif
