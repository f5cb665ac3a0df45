/* The verifier's entry on mps2-an386: boot the active image if it verifies, otherwise say why
 * on the console and serve SMP until told to reset. */
#include "../../device/device.h"
#include "../../device/port.h"
#include "cmsdk.h"
#include "fwv/verify.h"

void port_stack_paint(void);

int main(void)
{
    port_stack_paint();
    uart0_init(0);
    fwv_device_init();
    uart0_puts("fwsign-verifier: ");
    fwv_result r = fwv_device_boot(); /* returns only when it does not jump */
    if (r == FWV_OK) r = FWV_ERR_NO_IMAGE; /* verified but its vector table is unusable */
    uart0_puts(r == FWV_ERR_STATE ? "staying on request" : fwv_result_name(r));
    uart0_puts(", serving SMP\n");
    uart0_init(1);
    UART_CTRL |= UART_CTRL_RX_INTEN;
    port_irq_enable();
    for (;;) {
        if (fwv_device_poll() != 0) continue; /* requests run with the receive interrupt on */
        __asm volatile("cpsid i" ::: "memory");
        if (!fwv_device_pending()) port_idle(); /* a pending interrupt still wakes wfi */
        __asm volatile("cpsie i" ::: "memory");
    }
}
