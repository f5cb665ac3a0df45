/* SMP console framing: see frame.h for the format. */
#include "frame.h"

#include "fwv/protocol.h"

enum {
    ST_IDLE = 0,
    ST_MARK,
    ST_LINE,
    ST_SKIP
};

uint16_t fwv_crc16_xmodem(uint16_t crc, const uint8_t *data, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        crc ^= (uint16_t)(data[i] << 8);
        for (int b = 0; b < 8; b++)
            crc = (crc & 0x8000u) ? (uint16_t)((crc << 1) ^ 0x1021u) : (uint16_t)(crc << 1);
    }
    return crc;
}

/* Base64 alphabet value of c, 64 for '=', 0xFF for anything else. */
static uint8_t b64_value(uint8_t c)
{
    if (c >= 'A' && c <= 'Z') return (uint8_t)(c - 'A');
    if (c >= 'a' && c <= 'z') return (uint8_t)(c - 'a' + 26);
    if (c >= '0' && c <= '9') return (uint8_t)(c - '0' + 52);
    if (c == '+') return 62;
    if (c == '/') return 63;
    if (c == '=') return 64;
    return 0xFF;
}

void frame_decoder_init(frame_decoder *d, frame_acquire_fn acquire, void *ctx, size_t cap)
{
    *d = (frame_decoder){0};
    d->acquire = acquire;
    d->ctx = ctx;
    d->cap = cap;
    d->discard = 1; /* a continuation line before any start belongs to nothing */
}

static void start_packet(frame_decoder *d)
{
    if (d->buf == NULL) d->buf = d->acquire(d->ctx);
    d->discard = d->buf == NULL; /* no free buffer: the host will time out and resend */
    d->n = 0;
    d->want = 0;
    d->crc = 0;
    d->len_bytes = 0;
    d->oversize = 0;
}

static frame_status drop(frame_decoder *d, uint8_t next_state)
{
    d->discard = 1;
    d->n = 0;
    d->len_bytes = 0;
    d->quad_n = 0;
    d->state = next_state;
    return FRAME_DROPPED;
}

/* Stores one decoded byte: the first two are the declared length, the rest go to the buffer. */
static int put_byte(frame_decoder *d, uint8_t b)
{
    if (d->len_bytes < 2) {
        d->want = (uint16_t)((d->want << 8) | b);
        d->len_bytes++;
        if (d->len_bytes == 2 && d->want < 3) return -1;
        /* Too long for the buffer: still read to the end (CRC included) so the host gets an
         * error for it instead of silence; only the head is stored. */
        if (d->len_bytes == 2 && d->want > d->cap) d->oversize = 1;
        return 0;
    }
    if (d->n >= d->want) return -1; /* more data than the length promised */
    if (d->n < d->cap) d->buf[d->n] = b;
    d->n++;
    /* CRC byte by byte: the interrupt handler never spends a whole packet's CRC at once */
    d->crc = fwv_crc16_xmodem(d->crc, &b, 1);
    return 0;
}

static int flush_quad(frame_decoder *d)
{
    uint8_t v[4];
    int pad = 0;
    for (int i = 0; i < 4; i++) {
        v[i] = b64_value(d->quad[i]);
        if (v[i] == 64) {
            if (i < 2) return -1;
            pad++;
            v[i] = 0;
        } else if (pad) {
            return -1; /* data after padding inside a quad */
        }
    }
    uint32_t w = ((uint32_t)v[0] << 18) | ((uint32_t)v[1] << 12) | ((uint32_t)v[2] << 6) | v[3];
    d->quad_n = 0;
    if (put_byte(d, (uint8_t)(w >> 16)) != 0) return -1;
    if (pad < 2 && put_byte(d, (uint8_t)(w >> 8)) != 0) return -1;
    if (pad < 1 && put_byte(d, (uint8_t)w) != 0) return -1;
    return 0;
}

static frame_status end_line(frame_decoder *d)
{
    d->state = ST_IDLE;
    if (d->discard) return FRAME_NONE;
    if (d->quad_n != 0) return drop(d, ST_IDLE);
    if (d->len_bytes < 2 || d->n < d->want) return FRAME_NONE; /* continuation lines follow */
    if (d->crc != 0) return drop(d, ST_IDLE); /* CRC over body + its big-endian CRC is zero */
    d->discard = 1; /* a continuation line after this belongs to nothing */
    if (d->oversize) {
        d->body_len = d->cap;
        return FRAME_OVERSIZE;
    }
    d->body_len = d->n - 2;
    return FRAME_PACKET;
}

frame_status frame_decoder_feed(frame_decoder *d, uint8_t c)
{
    switch (d->state) {
    case ST_IDLE:
        if (c == FWV_CONSOLE_FIRST_0 || c == FWV_CONSOLE_CONT_0) {
            d->marker = c;
            d->state = ST_MARK;
        }
        return FRAME_NONE; /* anything else is console text between packets */
    case ST_MARK:
        if (d->marker == FWV_CONSOLE_FIRST_0 && c == FWV_CONSOLE_FIRST_1) {
            frame_status s = (d->len_bytes || d->n) && !d->discard ? FRAME_DROPPED : FRAME_NONE;
            start_packet(d);
            d->quad_n = 0;
            d->state = ST_LINE;
            if (d->discard) return FRAME_DROPPED; /* no free buffer */
            return s; /* an unfinished packet is abandoned by a new start */
        }
        if (d->marker == FWV_CONSOLE_CONT_0 && c == FWV_CONSOLE_CONT_1) {
            d->quad_n = 0;
            d->state = ST_LINE;
            return FRAME_NONE;
        }
        d->state = (c == '\n') ? ST_IDLE : ST_SKIP;
        return FRAME_NONE;
    case ST_LINE:
        if (c == '\n' || c == '\r') return end_line(d);
        if (d->discard) return FRAME_NONE;
        if (b64_value(c) == 0xFF) return drop(d, ST_SKIP);
        d->quad[d->quad_n++] = c;
        if (d->quad_n == 4 && flush_quad(d) != 0) return drop(d, ST_SKIP);
        return FRAME_NONE;
    default: /* ST_SKIP: rest of a line that is not ours */
        if (c == '\n') d->state = ST_IDLE;
        return FRAME_NONE;
    }
}

uint8_t *frame_decoder_take(frame_decoder *d)
{
    uint8_t *b = d->buf;
    d->buf = NULL;
    d->n = 0;
    d->len_bytes = 0;
    return b;
}

static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void frame_encode(uint8_t *pkt, size_t body_len, frame_write_fn write, void *ctx)
{
    uint16_t crc = fwv_crc16_xmodem(0, pkt + 2, body_len);
    size_t total = body_len + 4;
    pkt[0] = (uint8_t)((body_len + 2) >> 8);
    pkt[1] = (uint8_t)(body_len + 2);
    pkt[body_len + 2] = (uint8_t)(crc >> 8);
    pkt[body_len + 3] = (uint8_t)crc;

    uint8_t line[2 + FRAME_LINE_B64 + 1];
    for (size_t off = 0; off < total; off += FRAME_LINE_RAW) {
        size_t n = total - off < FRAME_LINE_RAW ? total - off : FRAME_LINE_RAW;
        size_t k = 2;
        line[0] = off == 0 ? FWV_CONSOLE_FIRST_0 : FWV_CONSOLE_CONT_0;
        line[1] = off == 0 ? FWV_CONSOLE_FIRST_1 : FWV_CONSOLE_CONT_1;
        for (size_t i = 0; i < n; i += 3) {
            const uint8_t *p = pkt + off + i;
            size_t r = n - i;
            uint32_t w = ((uint32_t)p[0] << 16) | (r > 1 ? (uint32_t)p[1] << 8 : 0) | (r > 2 ? p[2] : 0);
            line[k++] = (uint8_t)B64[(w >> 18) & 63];
            line[k++] = (uint8_t)B64[(w >> 12) & 63];
            line[k++] = r > 1 ? (uint8_t)B64[(w >> 6) & 63] : '=';
            line[k++] = r > 2 ? (uint8_t)B64[w & 63] : '=';
        }
        line[k++] = '\n';
        write(ctx, line, k);
    }
}
