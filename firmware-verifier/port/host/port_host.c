/* The host implementation of device/port.h: see port_host.h. */
#include "port_host.h"

#include <string.h>

uint8_t host_flash[HOST_FLASH_SIZE];
uint8_t host_tx[1 << 16];
size_t host_tx_len;
unsigned long host_flash_ops;
int host_reset_requested;
uint32_t host_jumped_to;
static long cut_after = -1;
static int powered_off;
static uint32_t boot_request;

static const fwv_layout layout = {
    .active = HOST_ACTIVE,
    .staging = HOST_STAGING,
    .scratch = HOST_SCRATCH,
    .slot_size = HOST_SLOT_SIZE,
    .sector_size = HOST_SECTOR,
    .anchors = HOST_ANCHORS,
    .anchors_size = HOST_ANCHORS_SIZE,
    .ram_start = HOST_RAM_START,
    .ram_end = HOST_RAM_END,
};

const fwv_layout *port_layout(void) { return &layout; }

void host_port_init(void)
{
    memset(host_flash, 0xFF, sizeof host_flash);
    host_tx_len = 0;
    host_flash_ops = 0;
    host_reset_requested = 0;
    host_jumped_to = 0;
    cut_after = -1;
    powered_off = 0;
    boot_request = 0;
}

void host_tx_clear(void) { host_tx_len = 0; }
void host_power_cut_after(long ops) { cut_after = ops; }
int host_powered_off(void) { return powered_off; }
void host_power_restore(void) { powered_off = 0; cut_after = -1; }

/* Returns 1 when the operation may run in full, 0 when it is the torn one, -1 when off. */
static int power_gate(void)
{
    if (powered_off) return -1;
    host_flash_ops++;
    if (cut_after < 0) return 1;
    if (cut_after-- > 0) return 1;
    powered_off = 1;
    return 0;
}

static int in_range(uint32_t addr, size_t len)
{
    return addr <= HOST_FLASH_SIZE && len <= HOST_FLASH_SIZE - addr;
}

int port_flash_erase(uint32_t addr)
{
    if (addr % HOST_SECTOR != 0 || !in_range(addr, HOST_SECTOR)) return -1;
    int g = power_gate();
    if (g < 0) return -1;
    memset(host_flash + addr, 0xFF, g ? HOST_SECTOR : HOST_SECTOR / 2);
    return g ? 0 : -1;
}

int port_flash_write(uint32_t addr, const uint8_t *data, size_t len)
{
    if (!in_range(addr, len) || len > HOST_SECTOR || addr / HOST_SECTOR != (addr + len - 1) / HOST_SECTOR)
        return -1;
    int g = power_gate();
    if (g < 0) return -1;
    size_t n = g ? len : len / 2;
    for (size_t i = 0; i < n; i++) host_flash[addr + i] &= data[i]; /* NOR: program clears bits */
    return g ? 0 : -1;
}

int port_flash_read(uint32_t addr, uint8_t *data, size_t len)
{
    if (!in_range(addr, len)) return -1;
    memcpy(data, host_flash + addr, len);
    return 0;
}

const uint8_t *port_flash_map(uint32_t addr, size_t len)
{
    return in_range(addr, len) ? host_flash + addr : NULL;
}

void port_uart_write(const uint8_t *data, size_t len)
{
    size_t room = sizeof host_tx - host_tx_len;
    if (len > room) len = room;
    memcpy(host_tx + host_tx_len, data, len);
    host_tx_len += len;
}

void port_irq_disable(void) {}
void port_irq_enable(void) {}
void port_idle(void) {}
void port_boot_request_set(uint32_t mode) { boot_request = mode; }

uint32_t port_boot_request_take(void)
{
    uint32_t m = boot_request;
    boot_request = 0;
    return m;
}

uint32_t port_stack_peak(void) { return 0; }

void port_reset(void) { host_reset_requested = 1; }
void port_jump(uint32_t addr) { host_jumped_to = addr; }
