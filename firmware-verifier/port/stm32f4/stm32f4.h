/* Registers of the STM32F405/F407 parts the port uses (RM0090): USART1, RCC clock enables,
 * GPIOA/GPIOB alternate functions and the flash interface (the core's SCB, NVIC and SysTick are
 * in port/cortex-m/cortex_m.h). Also included by app/app.c (through FWV_BOARD_H), hence the
 * inline UART helpers and the app-facing names at the end. */
#ifndef FWV_PORT_STM32F4_H
#define FWV_PORT_STM32F4_H

#include <stdint.h>

#include "../../ld/memmap-stm32f4.h"
#include "../cortex-m/cortex_m.h"

/* USART1 at 0x40011000 on QEMU's netduinoplus2, Renode's stm32f4.repl and the parts; IRQ 37. */
#define USART1_BASE 0x40011000u
#define USART1_SR REG32(USART1_BASE + 0x00)
#define USART1_DR REG32(USART1_BASE + 0x04)
#define USART1_BRR REG32(USART1_BASE + 0x08)
#define USART1_CR1 REG32(USART1_BASE + 0x0C)
#define USART_SR_ORE (1u << 3)
#define USART_SR_RXNE (1u << 5)
#define USART_SR_TC (1u << 6)
#define USART_SR_TXE (1u << 7)
#define USART_CR1_RE (1u << 2)
#define USART_CR1_TE (1u << 3)
#define USART_CR1_RXNEIE (1u << 5)
#define USART_CR1_UE (1u << 13)
#define USART1_IRQ 37

/* After reset the core runs from the 16 MHz HSI, and APB2 (USART1's bus) at the same rate; the
 * verifier never touches the PLL, so the flash needs no wait states. QEMU ignores BRR. */
#define SYSCLK_HZ 16000000u
#define UART_BAUD 115200u

#define RCC_BASE 0x40023800u
#define RCC_AHB1ENR REG32(RCC_BASE + 0x30)
#define RCC_APB2ENR REG32(RCC_BASE + 0x44)
#define RCC_AHB1ENR_GPIOAEN (1u << 0)
#define RCC_AHB1ENR_GPIOBEN (1u << 1)
#define RCC_APB2ENR_USART1EN (1u << 4)

#define GPIOA_BASE 0x40020000u
#define GPIOB_BASE 0x40020400u
#define GPIO_MODER(b) REG32((b) + 0x00)
#define GPIO_PUPDR(b) REG32((b) + 0x0C)
#define GPIO_AFRL(b) REG32((b) + 0x20)
#define GPIO_AFRH(b) REG32((b) + 0x24)
#define GPIO_AF7_USART1 7u

/* Flash interface (RM0090 section 3.9). */
#define FLASH_IF_BASE 0x40023C00u
#define FLASH_ACR REG32(FLASH_IF_BASE + 0x00)
#define FLASH_KEYR REG32(FLASH_IF_BASE + 0x04)
#define FLASH_SR REG32(FLASH_IF_BASE + 0x0C)
#define FLASH_CR REG32(FLASH_IF_BASE + 0x10)
#define FLASH_KEY1 0x45670123u
#define FLASH_KEY2 0xCDEF89ABu
#define FLASH_SR_EOP (1u << 0)
#define FLASH_SR_OPERR (1u << 1)
#define FLASH_SR_WRPERR (1u << 4)
#define FLASH_SR_PGAERR (1u << 5)
#define FLASH_SR_PGPERR (1u << 6)
#define FLASH_SR_PGSERR (1u << 7)
#define FLASH_SR_BSY (1u << 16)
#define FLASH_SR_ERRORS (FLASH_SR_OPERR | FLASH_SR_WRPERR | FLASH_SR_PGAERR | FLASH_SR_PGPERR | FLASH_SR_PGSERR)
#define FLASH_CR_PG (1u << 0)
#define FLASH_CR_SER (1u << 1)
#define FLASH_CR_SNB(n) ((uint32_t)(n) << 3)
#define FLASH_CR_PSIZE_X8 (0u << 8)
#define FLASH_CR_PSIZE_X32 (2u << 8) /* needs 2.7-3.6 V, as on the Discovery and Nucleo boards */
#define FLASH_CR_STRT (1u << 16)
#define FLASH_CR_LOCK (1u << 31)

/* USART1 pins, AF7: PA9 TX / PA10 RX (Nucleo: D8 / D2), or with FWV_UART_PB6 PB6 TX / PB7 RX
 * (the Discovery, where PA9 is the USB VBUS sense). Writes to RCC and GPIO are ignored by QEMU
 * (unimplemented devices there). */
static inline void usart1_pins(void)
{
#ifdef FWV_UART_PB6
    RCC_AHB1ENR |= RCC_AHB1ENR_GPIOBEN;
    (void)RCC_AHB1ENR; /* the enable takes effect before the GPIO is written */
    GPIO_AFRL(GPIOB_BASE) = (GPIO_AFRL(GPIOB_BASE) & ~(0xFFu << 24)) | GPIO_AF7_USART1 << 24 | GPIO_AF7_USART1 << 28;
    GPIO_PUPDR(GPIOB_BASE) = (GPIO_PUPDR(GPIOB_BASE) & ~(3u << 14)) | 1u << 14; /* RX pull-up */
    GPIO_MODER(GPIOB_BASE) = (GPIO_MODER(GPIOB_BASE) & ~(0xFu << 12)) | 0xAu << 12;
#else
    RCC_AHB1ENR |= RCC_AHB1ENR_GPIOAEN;
    (void)RCC_AHB1ENR;
    GPIO_AFRH(GPIOA_BASE) = (GPIO_AFRH(GPIOA_BASE) & ~(0xFFu << 4)) | GPIO_AF7_USART1 << 4 | GPIO_AF7_USART1 << 8;
    GPIO_PUPDR(GPIOA_BASE) = (GPIO_PUPDR(GPIOA_BASE) & ~(3u << 20)) | 1u << 20;
    GPIO_MODER(GPIOA_BASE) = (GPIO_MODER(GPIOA_BASE) & ~(0xFu << 18)) | 0xAu << 18;
#endif
}

/* USART1 at 115200 8N1: transmit always, receive when rx is set. */
static inline void usart1_init(int rx)
{
    RCC_APB2ENR |= RCC_APB2ENR_USART1EN;
    (void)RCC_APB2ENR;
    usart1_pins();
    USART1_CR1 = 0;
    USART1_BRR = (SYSCLK_HZ + UART_BAUD / 2) / UART_BAUD; /* 16x oversampling: mantissa.fraction */
    USART1_CR1 = USART_CR1_UE | USART_CR1_TE | (rx ? USART_CR1_RE : 0u);
}

static inline void usart1_putc(uint8_t c)
{
    while (!(USART1_SR & USART_SR_TXE)) {}
    USART1_DR = c;
}

static inline void usart1_puts(const char *s)
{
    while (*s) usart1_putc((uint8_t)*s++);
}

/* SysTick as a free-running 1 ms tick, polled through COUNTFLAG: no interrupt of ours to hand
 * over when the verifier jumps to an image. Used to bound the flash controller's busy waits. */
void stm32f4_tick_start(void);
/* Milliseconds passed since the last call that returned nonzero: 1 when a tick has elapsed. */
int stm32f4_tick(void);

/* The names app/app.c uses on every board (the mps2-an386 header's), mapped onto USART1:
 * its "transmit full" bit is USART1's TXE inverted, hence the XOR. */
#define UART_DATA USART1_DR
#define UART_STATE (USART1_SR ^ USART_SR_TXE)
#define UART_STATE_TXFULL USART_SR_TXE
#define UART_STATE_RXFULL USART_SR_RXNE
#define uart0_init usart1_init
#define uart0_putc usart1_putc
#define uart0_puts usart1_puts

#endif
