/* mps2-an386 for port/cortex-m/ (see cortex_m.h for the contract): the memory map, and CMSDK
 * UART0 as the console, its receive interrupt IRQ 0. */
#ifndef FWV_PORT_MPS2_BOARD_H
#define FWV_PORT_MPS2_BOARD_H

#include "../../ld/memmap.h"
#include "cmsdk.h"

#define BOARD_IRQS 32 /* QEMU wires 32 external interrupts on AN385/AN386 */
#define BOARD_NVIC_REGS 1
#define BOARD_RX_IRQ UART0_RX_IRQ
#define BOARD_RX_HANDLER uart0_rx_handler
void uart0_rx_handler(void);

static inline void board_console_init(void) { uart0_init(0); }
static inline void board_console_putc(uint8_t c) { uart0_putc(c); }
#define board_console_puts uart0_puts
static inline void board_console_rx_on(void) { UART_CTRL |= UART_CTRL_RX_EN | UART_CTRL_RX_INTEN; }
static inline void board_console_drain(void)
{
    while (UART_STATE & UART_STATE_TXFULL) {}
}
static inline void board_console_off(void) { UART_CTRL = 0; }

#endif
