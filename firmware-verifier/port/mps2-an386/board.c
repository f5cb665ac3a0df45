/* What only mps2-an386 has: the UART0 receive interrupt. Everything else of device/port.h is
 * port/cortex-m/; the slots are port/cortex-m/slots_ram.c over the code RAM at 0. */
#include "../../device/device.h"
#include "board.h"

/* Every byte goes straight into the frame decoder. */
void uart0_rx_handler(void)
{
    UART_INTSTATUS = UART_INT_RX;
    while (UART_STATE & UART_STATE_RXFULL) {
        uint8_t b = (uint8_t)UART_DATA;
        fwv_device_rx(&b, 1);
    }
}
