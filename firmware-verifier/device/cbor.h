/* A minimal CBOR (RFC 8949) reader and writer for SMP messages. Every read is bounded by the
 * message length; lengths and integers wider than 32 bits, and indefinite lengths, are refused
 * (no SMP message here needs them). Errors are sticky: after the first one every call fails and
 * the caller checks once at the end. */
#ifndef FWV_DEVICE_CBOR_H
#define FWV_DEVICE_CBOR_H

#include <stddef.h>
#include <stdint.h>

enum {
    CBOR_UINT = 0,
    CBOR_NINT = 1,
    CBOR_BSTR = 2,
    CBOR_TSTR = 3,
    CBOR_ARRAY = 4,
    CBOR_MAP = 5,
    CBOR_TAG = 6,
    CBOR_SIMPLE = 7
};

#ifndef CBOR_MAX_DEPTH
#define CBOR_MAX_DEPTH 8 /* nesting skipped in unknown values; SMP requests use 2 at most */
#endif

typedef struct {
    const uint8_t *p;
    const uint8_t *end;
    int err;
} cbor_reader;

typedef struct {
    uint8_t major;
    uint32_t arg;            /* value, length or pair count; for CBOR_SIMPLE the simple value */
    const uint8_t *bytes;    /* for BSTR/TSTR: the arg bytes, inside the message */
} cbor_item;

void cbor_reader_init(cbor_reader *r, const uint8_t *data, size_t len);
/* Reads one head (and a string's bytes). Returns 0, or -1 on truncation or an unsupported form. */
int cbor_read(cbor_reader *r, cbor_item *it);
/* Skips the value whose head `it` was just read (its contents for arrays, maps and tags). */
int cbor_skip_contents(cbor_reader *r, const cbor_item *it);
int cbor_item_is_true(const cbor_item *it);
int cbor_item_is_false(const cbor_item *it);
int cbor_tstr_eq(const cbor_item *it, const char *s);

typedef struct {
    uint8_t *p;
    uint8_t *end;
    uint8_t *start;
    int err;
} cbor_writer;

void cbor_writer_init(cbor_writer *w, uint8_t *buf, size_t cap);
void cbor_put_head(cbor_writer *w, uint8_t major, uint32_t arg);
void cbor_put_uint(cbor_writer *w, uint32_t v);
void cbor_put_int(cbor_writer *w, int32_t v);
void cbor_put_bstr(cbor_writer *w, const uint8_t *b, size_t n);
void cbor_put_tstr(cbor_writer *w, const char *s);
void cbor_put_tstrn(cbor_writer *w, const char *s, size_t n);
void cbor_put_bool(cbor_writer *w, int v);
/* Bytes written, or -1 if the buffer overflowed. */
long cbor_writer_len(const cbor_writer *w);

#endif
