/* Registers of the mps2-an386 parts the port uses: CMSDK APB UART0 (the core's SCB, NVIC and
 * SysTick are in port/cortex-m/cortex_m.h). Also included by app/app.c. */
#ifndef FWV_PORT_CMSDK_H
#define FWV_PORT_CMSDK_H

#include <stdint.h>

#include "../cortex-m/cortex_m.h"

#define UART0_BASE 0x40004000u
#define UART_DATA REG32(UART0_BASE + 0x0)
#define UART_STATE REG32(UART0_BASE + 0x4)     /* bit0 TX full, bit1 RX full */
#define UART_CTRL REG32(UART0_BASE + 0x8)      /* bit0 TX en, bit1 RX en, bit3 RX int en */
#define UART_INTSTATUS REG32(UART0_BASE + 0xC) /* bit1 RX interrupt; write 1 to clear */
#define UART_BAUDDIV REG32(UART0_BASE + 0x10)
#define UART_STATE_TXFULL 1u
#define UART_STATE_RXFULL 2u
#define UART_CTRL_TX_EN 1u
#define UART_CTRL_RX_EN 2u
#define UART_CTRL_RX_INTEN 8u
#define UART_INT_RX 2u
#define UART0_RX_IRQ 0 /* TX is 1; AN385/AN386 wiring in QEMU's hw/arm/mps2.c */

#define SYSCLK_HZ 25000000u /* the FPGA's system clock */

/* UART0 at 115200 8N1: transmit always, receive when rx is set. */
static inline void uart0_init(int rx)
{
    UART_CTRL = 0;
    UART_BAUDDIV = SYSCLK_HZ / 115200u;
    UART_CTRL = UART_CTRL_TX_EN | (rx ? UART_CTRL_RX_EN : 0u);
}

static inline void uart0_putc(uint8_t c)
{
    while (UART_STATE & UART_STATE_TXFULL) {}
    UART_DATA = c;
}

static inline void uart0_puts(const char *s)
{
    while (*s) uart0_putc((uint8_t)*s++);
}

#endif
