/* Minimal bounded CBOR reader/writer: see cbor.h. */
#include "cbor.h"

#include <string.h>

void cbor_reader_init(cbor_reader *r, const uint8_t *data, size_t len)
{
    r->p = data;
    r->end = data + len;
    r->err = 0;
}

static int fail(cbor_reader *r)
{
    r->err = 1;
    return -1;
}

int cbor_read(cbor_reader *r, cbor_item *it)
{
    if (r->err || r->p >= r->end) return fail(r);
    uint8_t ib = *r->p++;
    uint8_t ai = ib & 31;
    it->major = ib >> 5;
    it->bytes = NULL;
    if (ai < 24) {
        it->arg = ai;
    } else if (ai <= 26) {
        size_t n = (size_t)1 << (ai - 24); /* 1, 2 or 4 bytes follow */
        if ((size_t)(r->end - r->p) < n) return fail(r);
        uint32_t v = 0;
        for (size_t i = 0; i < n; i++) v = (v << 8) | *r->p++;
        it->arg = v;
    } else {
        return fail(r); /* 64-bit arguments and indefinite lengths: no SMP request needs them */
    }
    if (it->major == CBOR_BSTR || it->major == CBOR_TSTR) {
        if ((size_t)(r->end - r->p) < it->arg) return fail(r);
        it->bytes = r->p;
        r->p += it->arg;
    }
    return 0;
}

/* Items a container head announces: arg for arrays, 2 * arg for maps, 1 for a tag. Every item
 * takes at least one byte, so a count above the bytes left is refused before any loop (which
 * also keeps 2 * arg from overflowing). */
static int contents(cbor_reader *r, const cbor_item *it, uint32_t *k)
{
    uint32_t left = (uint32_t)(r->end - r->p);
    *k = it->major == CBOR_TAG ? 1 : it->arg;
    if (*k > left || (it->major == CBOR_MAP && *k > left / 2)) return fail(r);
    if (it->major == CBOR_MAP) *k *= 2;
    return 0;
}

static int skip_n(cbor_reader *r, uint32_t n, int depth)
{
    cbor_item it;
    uint32_t k;
    for (uint32_t i = 0; i < n; i++) {
        if (cbor_read(r, &it) != 0) return -1;
        if (it.major < CBOR_ARRAY || it.major > CBOR_TAG) continue;
        if (depth >= CBOR_MAX_DEPTH) return fail(r);
        if (contents(r, &it, &k) != 0 || skip_n(r, k, depth + 1) != 0) return -1;
    }
    return 0;
}

int cbor_skip_contents(cbor_reader *r, const cbor_item *it)
{
    uint32_t k;
    if (r->err) return -1;
    if (it->major < CBOR_ARRAY || it->major > CBOR_TAG) return 0;
    if (contents(r, it, &k) != 0) return -1;
    return skip_n(r, k, 1);
}

int cbor_item_is_true(const cbor_item *it) { return it->major == CBOR_SIMPLE && it->arg == 21; }
int cbor_item_is_false(const cbor_item *it) { return it->major == CBOR_SIMPLE && it->arg == 20; }

int cbor_tstr_eq(const cbor_item *it, const char *s)
{
    size_t n = strlen(s);
    return it->major == CBOR_TSTR && it->arg == n && memcmp(it->bytes, s, n) == 0;
}

void cbor_writer_init(cbor_writer *w, uint8_t *buf, size_t cap)
{
    w->p = w->start = buf;
    w->end = buf + cap;
    w->err = 0;
}

static void put_bytes(cbor_writer *w, const void *b, size_t n)
{
    if (w->err || (size_t)(w->end - w->p) < n) {
        w->err = 1;
        return;
    }
    if (n) memcpy(w->p, b, n);
    w->p += n;
}

void cbor_put_head(cbor_writer *w, uint8_t major, uint32_t arg)
{
    uint8_t h[5];
    size_t n;
    uint8_t m = (uint8_t)(major << 5);
    if (arg < 24) {
        h[0] = (uint8_t)(m | arg);
        n = 1;
    } else if (arg <= 0xFF) {
        h[0] = m | 24;
        h[1] = (uint8_t)arg;
        n = 2;
    } else if (arg <= 0xFFFF) {
        h[0] = m | 25;
        h[1] = (uint8_t)(arg >> 8);
        h[2] = (uint8_t)arg;
        n = 3;
    } else {
        h[0] = m | 26;
        h[1] = (uint8_t)(arg >> 24);
        h[2] = (uint8_t)(arg >> 16);
        h[3] = (uint8_t)(arg >> 8);
        h[4] = (uint8_t)arg;
        n = 5;
    }
    put_bytes(w, h, n);
}

void cbor_put_uint(cbor_writer *w, uint32_t v) { cbor_put_head(w, CBOR_UINT, v); }

void cbor_put_int(cbor_writer *w, int32_t v)
{
    if (v >= 0) cbor_put_head(w, CBOR_UINT, (uint32_t)v);
    else cbor_put_head(w, CBOR_NINT, (uint32_t)(-(v + 1))); /* -1 - n encodes n */
}

void cbor_put_bstr(cbor_writer *w, const uint8_t *b, size_t n)
{
    cbor_put_head(w, CBOR_BSTR, (uint32_t)n);
    put_bytes(w, b, n);
}

void cbor_put_tstrn(cbor_writer *w, const char *s, size_t n)
{
    cbor_put_head(w, CBOR_TSTR, (uint32_t)n);
    put_bytes(w, s, n);
}

void cbor_put_tstr(cbor_writer *w, const char *s) { cbor_put_tstrn(w, s, strlen(s)); }

void cbor_put_bool(cbor_writer *w, int v) { cbor_put_head(w, CBOR_SIMPLE, v ? 21 : 20); }

long cbor_writer_len(const cbor_writer *w) { return w->err ? -1 : (long)(w->p - w->start); }
