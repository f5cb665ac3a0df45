/* The verifier's entry on every Cortex-M board: boot the active image if it verifies, otherwise
 * say why on the console and serve SMP until told to reset. */
#include "../../device/device.h"
#include "../../device/port.h"
#include "board.h"
#include "cortex_m.h"
#include "fwv/verify.h"

int main(void)
{
    port_stack_paint();
    board_console_init();
    fwv_device_init();
    board_console_puts("fwsign-verifier: ");
    fwv_result r = fwv_device_boot(); /* returns only when it does not jump */
    if (r == FWV_OK) { /* verified, but its vector table is unusable: not booted after all */
        r = FWV_ERR_NO_IMAGE;
        board_console_puts("fwsign-verifier: "); /* a line of its own, after the boot line */
    }
    board_console_puts(r == FWV_ERR_STATE ? "staying on request" : fwv_result_name(r));
    /* Receive on before the line ends: a host may start talking the moment it reads it, and a
     * UART drops what arrives while its receiver is off. */
    board_console_rx_on();
    port_irq_enable();
    board_console_puts(", serving SMP\n");
    for (;;) {
        if (fwv_device_poll() != 0) continue; /* requests run with the receive interrupt on */
        __asm volatile("cpsid i" ::: "memory");
        if (!fwv_device_pending()) port_idle(); /* a pending interrupt still wakes wfi */
        __asm volatile("cpsie i" ::: "memory");
    }
}
