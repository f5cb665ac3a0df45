/* SMP console framing (as mcumgr and MCUboot serial recovery frame it):
 *   packet = BE16 length (body + CRC) | body | CRC16/XMODEM over body, big-endian
 *   the packet is base64-encoded and cut into lines of at most 127 bytes; the first line starts
 *   0x06 0x09, continuation lines 0x04 0x14, every line ends '\n'.
 * The decoder is fed one byte at a time (from the UART interrupt on the board), so it never needs
 * the whole line in memory: it keeps one base64 quad and writes decoded bytes straight into the
 * packet buffer it was handed. Every write is bounded by that buffer's capacity. */
#ifndef FWV_DEVICE_FRAME_H
#define FWV_DEVICE_FRAME_H

#include <stddef.h>
#include <stdint.h>

/* CRC16/XMODEM: poly 0x1021, init 0, no reflection, no xorout; check value 0x31C3 over "123456789". */
uint16_t fwv_crc16_xmodem(uint16_t crc, const uint8_t *data, size_t len);

typedef enum {
    FRAME_NONE = 0,  /* byte consumed, nothing finished */
    FRAME_PACKET,    /* a packet passed its length and CRC checks: body is in buf[0..body_len) */
    FRAME_DROPPED,   /* a packet was discarded (bad base64, length, CRC, overflow or no buffer) */
    FRAME_OVERSIZE   /* an intact packet longer than the buffer: buf holds its first cap bytes
                      * (body_len of them), enough for the SMP header an error reply needs */
} frame_status;

/* Returns a buffer of `cap` bytes for a new packet, or NULL when every buffer is busy. */
typedef uint8_t *(*frame_acquire_fn)(void *ctx);

typedef struct {
    frame_acquire_fn acquire;
    void *ctx;
    size_t cap;        /* capacity of each buffer acquire() hands out (body + CRC) */
    uint8_t *buf;      /* current packet buffer; NULL until a packet starts */
    size_t n;          /* decoded bytes stored in buf (after the 2-byte length) */
    uint16_t want;     /* declared length (body + CRC) */
    uint16_t crc;      /* running CRC16 of the stored bytes: zero at the end when intact */
    uint8_t len_bytes; /* how many of the 2 length bytes were decoded */
    uint8_t state;
    uint8_t marker;    /* first marker byte seen while waiting for the second */
    uint8_t quad_n;
    uint8_t quad[4];
    uint8_t padded;    /* '=' seen in the current quad */
    uint8_t discard;   /* current packet is being thrown away */
    uint8_t oversize;  /* declared length exceeds cap: keep the head, count and check the rest */
    size_t body_len;   /* set with FRAME_PACKET */
} frame_decoder;

void frame_decoder_init(frame_decoder *d, frame_acquire_fn acquire, void *ctx, size_t cap);
frame_status frame_decoder_feed(frame_decoder *d, uint8_t byte);
/* Hands the finished packet's buffer over to the caller: the decoder acquires a new one at the
 * next packet start. */
uint8_t *frame_decoder_take(frame_decoder *d);

/* Frames a packet in place and writes it as console lines through `write`. The body is at
 * pkt + 2 (body_len bytes); pkt must hold body_len + 4 bytes: the length goes in front and the
 * CRC behind, so no second buffer is needed. */
typedef void (*frame_write_fn)(void *ctx, const uint8_t *data, size_t len);
void frame_encode(uint8_t *pkt, size_t body_len, frame_write_fn write, void *ctx);

/* Per full line: base64 characters and the raw bytes they carry. */
#define FRAME_LINE_B64 124u /* 127 - 2 marker bytes - '\n', a multiple of 4 */
#define FRAME_LINE_RAW 93u  /* FRAME_LINE_B64 / 4 * 3 */

#endif
