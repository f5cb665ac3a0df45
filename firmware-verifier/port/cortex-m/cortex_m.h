/* What every Cortex-M4 port shares: the core's own registers (ARMv7-M: SCB, NVIC, SysTick),
 * the same at the same addresses on every part, and the contract between port/cortex-m/ and a
 * board folder.
 *
 * The shared files (startup.c, port.c, main.c, slots_ram.c) include "board.h", found through
 * -Iport/<board>. A board.h includes its memory map (in ld/) and register header, and
 * defines:
 *   BOARD_IRQS           external interrupts the vector table has room for
 *   BOARD_NVIC_REGS      32-bit NVIC enable/pending registers to clear before a jump
 *   BOARD_RX_IRQ         the console UART's receive interrupt
 *   BOARD_RX_HANDLER     the name of its handler, defined in port/<board>/ (weak in startup.c)
 * and static inline functions, so that -Os sees through them as it did before they were shared:
 *   board_console_init()   the console UART, transmit only (and whatever else boot needs first)
 *   board_console_putc(c)  one byte out, waiting for room
 *   board_console_puts(s)  a string out (a macro naming the board's helper)
 *   board_console_rx_on()  receive and its interrupt on
 *   board_console_drain()  waits until the last byte has left
 *   board_console_off()    the UART as after reset, for the image the verifier jumps to */
#ifndef FWV_PORT_CORTEX_M_H
#define FWV_PORT_CORTEX_M_H

#include <stdint.h>

#define REG32(a) (*(volatile uint32_t *)(a))

#define SCB_ICSR REG32(0xE000ED04u)
#define SCB_VTOR REG32(0xE000ED08u)
#define SCB_AIRCR REG32(0xE000ED0Cu)
#define ICSR_PENDSTCLR (1u << 25)
#define AIRCR_SYSRESETREQ 0x05FA0004u /* VECTKEY | SYSRESETREQ */
#define NVIC_ISER(n) REG32(0xE000E100u + 4u * (n))
#define NVIC_ICER(n) REG32(0xE000E180u + 4u * (n))
#define NVIC_ICPR(n) REG32(0xE000E280u + 4u * (n))
#define SYST_CSR REG32(0xE000E010u)
#define SYST_RVR REG32(0xE000E014u)
#define SYST_CVR REG32(0xE000E018u)
#define SYST_CSR_ENABLE (1u << 0)
#define SYST_CSR_CLKSOURCE (1u << 2) /* the core clock */
#define SYST_CSR_COUNTFLAG (1u << 16)

/* main() paints the free stack at boot; port_stack_peak() (device/port.h) finds the deepest
 * write since. */
void port_stack_paint(void);

#endif
