/* SMP (MCUmgr) command dispatch. Request and response are the 8-byte header then CBOR:
 *   byte 0: (version << 3) | op; byte 1: flags; 2-3: payload length BE; 4-5: group BE;
 *   6: sequence; 7: command id.
 * The response echoes version, group, sequence and id with op + 1. */
#ifndef FWV_DEVICE_SMP_H
#define FWV_DEVICE_SMP_H

#include <stddef.h>
#include <stdint.h>

#ifndef FWV_BUF_SIZE
#define FWV_BUF_SIZE 1024 /* largest SMP message (header + CBOR) accepted; advertised as buf_size */
#endif
#ifndef FWV_BUF_COUNT
#define FWV_BUF_COUNT 2 /* receive buffers: one request in flight while another is processed */
#endif

typedef struct {
    uint8_t reset;     /* reset once the response is out */
    uint32_t boot_mode;
} fwv_smp_after;

/* Handles one request; writes the response (header + CBOR) to rsp and returns its length, or 0
 * when the request gets no answer (too short, a response op, or a payload length that
 * disagrees with the packet). */
size_t fwv_smp_handle(const uint8_t *req, size_t req_len, uint8_t *rsp, size_t rsp_cap,
                      fwv_smp_after *after);
/* Answers a request with {rc} alone, from its header (req_len >= 8; the rest is not read): for a
 * request too long for the receive buffer (MGMT_ERR_EMSGSIZE). 0 for a response op. */
size_t fwv_smp_error(const uint8_t *req, size_t req_len, uint8_t *rsp, size_t rsp_cap, int rc,
                     fwv_smp_after *after);

#endif
