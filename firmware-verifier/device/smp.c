/* SMP dispatch for the verifier: OS (echo, reset, MCUmgr parameters), image (state, upload) and
 * fwsign's own group (signature, verify, mark bootable, status). Ids from protocol.h. */
#include "smp.h"

#include <string.h>

#include "cbor.h"
#include "fwv/protocol.h"
#include "fwv/verify.h"
#include "port.h"
#include "slots.h"

#define ECHO_MAX 256 /* longest echo string returned; longer ones are cut, as a bounded reply */

typedef struct {
    cbor_reader r;   /* positioned after the request map's head */
    uint32_t pairs;  /* pairs in the request map */
    cbor_writer w;   /* response map contents */
    uint32_t n_out;  /* pairs written to the response */
    int rc;          /* SMP error code for the response; -1 = payload already complete */
} smp_ctx;

/* Request fields every handler may look for: one pass over the map fills them in. */
typedef struct {
    cbor_item d, image, len, off, data, sha, upgrade, alg, sig, certfile, boot_mode;
    uint8_t has_d, has_image, has_len, has_off, has_data, has_sha, has_alg, has_sig, has_certfile,
        has_boot_mode;
} req_fields;

static int parse_fields(smp_ctx *c, req_fields *q)
{
    memset(q, 0, sizeof *q);
    for (uint32_t i = 0; i < c->pairs; i++) {
        cbor_item k, v;
        if (cbor_read(&c->r, &k) != 0 || cbor_read(&c->r, &v) != 0) return -1;
        if (k.major != CBOR_TSTR) { if (cbor_skip_contents(&c->r, &v) != 0) return -1; continue; }
        if (cbor_skip_contents(&c->r, &v) != 0) return -1; /* nested values are never ours */
#define F(key, f) if (cbor_tstr_eq(&k, key)) { q->f = v; q->has_##f = 1; continue; }
        F("d", d) F("image", image) F("len", len) F("off", off) F("data", data) F("sha", sha)
        F("alg", alg) F("sig", sig) F("certfile", certfile) F("boot_mode", boot_mode)
#undef F
    }
    return 0;
}

static void out_key(smp_ctx *c, const char *k)
{
    cbor_put_tstr(&c->w, k);
    c->n_out++;
}

static void out_uint(smp_ctx *c, const char *k, uint32_t v) { out_key(c, k); cbor_put_uint(&c->w, v); }

/* The fwsign verdict: rc says whether the step succeeded, fwv and text say why not. */
static void out_verdict(smp_ctx *c, fwv_result r)
{
    c->rc = r == FWV_OK ? FWV_SMP_ERR_EOK
            : r == FWV_ERR_FLASH ? FWV_SMP_ERR_EUNKNOWN
            : (r == FWV_ERR_STATE || r == FWV_ERR_NO_IMAGE || r == FWV_ERR_NOT_VERIFIED ||
               r == FWV_ERR_NO_SIGNATURE) ? FWV_SMP_ERR_EBADSTATE
            : (r == FWV_ERR_ARG || r == FWV_ERR_UNKNOWN_ALG || r == FWV_ERR_BAD_LENGTH ||
               r == FWV_ERR_TOO_LARGE) ? FWV_SMP_ERR_EINVAL
            : FWV_SMP_ERR_ECORRUPT;
    out_uint(c, "fwv", (uint32_t)r);
    out_key(c, "text");
    cbor_put_tstr(&c->w, fwv_result_text(r));
}

static int is_uint(const cbor_item *it) { return it->major == CBOR_UINT; }

static void os_echo(smp_ctx *c, const req_fields *q)
{
    if (!q->has_d || q->d.major != CBOR_TSTR) { c->rc = FWV_SMP_ERR_EINVAL; return; }
    out_key(c, "r");
    cbor_put_tstrn(&c->w, (const char *)q->d.bytes, q->d.arg < ECHO_MAX ? q->d.arg : ECHO_MAX);
}

static void image_state(smp_ctx *c)
{
    const fwv_layout *l = port_layout();
    fwv_trailer t;
    int active = fwv_trailer_read(l->active, &t) == 0 && t.state == TRAILER_ACTIVE;
    int staged = fwv_stage.complete;
    out_key(c, "images");
    cbor_put_head(&c->w, CBOR_ARRAY, (uint32_t)(active + staged));
    for (int slot = 0; slot < 2; slot++) {
        if ((slot == 0 && !active) || (slot == 1 && !staged)) continue;
        /* No image header carries a version here; the hash identifies the image. */
        cbor_put_head(&c->w, CBOR_MAP, 8);
        cbor_put_tstr(&c->w, "slot"); cbor_put_uint(&c->w, (uint32_t)slot);
        cbor_put_tstr(&c->w, "version"); cbor_put_tstr(&c->w, "0.0.0");
        cbor_put_tstr(&c->w, "hash"); cbor_put_bstr(&c->w, slot == 0 ? t.sha256 : fwv_stage.sha, 32);
        cbor_put_tstr(&c->w, "bootable"); cbor_put_bool(&c->w, slot == 0 || fwv_stage.verified);
        cbor_put_tstr(&c->w, "pending"); cbor_put_bool(&c->w, 0);
        cbor_put_tstr(&c->w, "confirmed"); cbor_put_bool(&c->w, slot == 0);
        cbor_put_tstr(&c->w, "active"); cbor_put_bool(&c->w, slot == 0);
        cbor_put_tstr(&c->w, "permanent"); cbor_put_bool(&c->w, 0);
    }
}

static void image_upload(smp_ctx *c, const req_fields *q)
{
    if (!q->has_off || !is_uint(&q->off) || !q->has_data || q->data.major != CBOR_BSTR ||
        (q->has_len && !is_uint(&q->len)) || (q->has_sha && q->sha.major != CBOR_BSTR) ||
        (q->has_image && (!is_uint(&q->image) || q->image.arg != 0))) {
        c->rc = FWV_SMP_ERR_EINVAL;
        return;
    }
    uint32_t next = 0;
    fwv_upload_status s = fwv_upload_chunk(q->off.arg, q->data.bytes, q->data.arg, q->has_len,
                                           q->len.arg, q->has_sha ? q->sha.bytes : NULL,
                                           q->has_sha ? q->sha.arg : 0, &next);
    switch (s) {
    case UPLOAD_OK: case UPLOAD_OFFSET: c->rc = FWV_SMP_ERR_EOK; break;
    case UPLOAD_TOO_LARGE:
        c->rc = FWV_SMP_ERR_EINVAL;
        out_uint(c, "fwv", FWV_ERR_TOO_LARGE);
        break;
    case UPLOAD_HASH_MISMATCH:
        c->rc = FWV_SMP_ERR_ECORRUPT;
        out_uint(c, "fwv", FWV_ERR_HASH_MISMATCH);
        break;
    case UPLOAD_FLASH: c->rc = FWV_SMP_ERR_EUNKNOWN; break;
    default: c->rc = FWV_SMP_ERR_EINVAL; break;
    }
    out_uint(c, "off", next);
    if (s == UPLOAD_OK && fwv_stage.complete) {
        out_key(c, "match");
        cbor_put_bool(&c->w, fwv_stage.sha_ok);
    }
}

static void slot_status(smp_ctx *c, const char *name, int present, uint32_t len, const uint8_t *sha,
                        const char *state)
{
    out_key(c, name);
    cbor_put_head(&c->w, CBOR_MAP, present ? 3 : 1);
    cbor_put_tstr(&c->w, "state"); cbor_put_tstr(&c->w, state);
    if (!present) return;
    cbor_put_tstr(&c->w, "len"); cbor_put_uint(&c->w, len);
    cbor_put_tstr(&c->w, "sha256"); cbor_put_bstr(&c->w, sha, 32);
}

static void fwsign_status(smp_ctx *c)
{
    const fwv_layout *l = port_layout();
    fwv_trailer t;
    const fwv_staging *s = &fwv_stage;
    out_uint(c, "slot_size", fwv_slot_capacity());
    int active = fwv_trailer_read(l->active, &t) == 0 && t.state == TRAILER_ACTIVE;
    slot_status(c, "active", active, t.len, t.sha256, active ? "bootable" : "empty");
    const char *st = s->verified ? "verified" : s->complete ? (s->sha_ok ? "complete" : "hash-mismatch")
                     : s->len ? "uploading" : "empty";
    slot_status(c, "staging", s->complete, s->len, s->sha, st);
    out_uint(c, "received", s->received);
    out_uint(c, "stack_peak", port_stack_peak());
}

static void dispatch(smp_ctx *c, uint8_t op, uint16_t group, uint8_t id, fwv_smp_after *after)
{
    req_fields q;
    if (parse_fields(c, &q) != 0) { c->rc = FWV_SMP_ERR_EINVAL; return; }
    int wr = op == FWV_SMP_OP_WRITE;
    if (group == FWV_SMP_GROUP_OS) {
        if (id == FWV_SMP_OS_ECHO && wr) { os_echo(c, &q); return; }
        if (id == FWV_SMP_OS_RESET && wr) {
            after->reset = 1;
            after->boot_mode = q.has_boot_mode && is_uint(&q.boot_mode) ? q.boot_mode.arg : 0;
            return;
        }
        if (id == FWV_SMP_OS_MCUMGR_PARAMS && !wr) {
            out_uint(c, "buf_size", FWV_BUF_SIZE);
            out_uint(c, "buf_count", FWV_BUF_COUNT);
            return;
        }
    } else if (group == FWV_SMP_GROUP_IMAGE) {
        if (id == FWV_SMP_IMAGE_STATE && !wr) { image_state(c); return; }
        if (id == FWV_SMP_IMAGE_UPLOAD && wr) { image_upload(c, &q); return; }
    } else if (group == FWV_SMP_GROUP_FWSIGN) {
        if (id == FWV_SMP_FWSIGN_SIGNATURE && wr) {
            fwv_result r = FWV_ERR_ARG;
            if (q.has_alg && q.alg.major == CBOR_TSTR && q.has_sig && q.sig.major == CBOR_BSTR &&
                q.has_certfile && q.certfile.major == CBOR_TSTR)
                r = fwv_set_signature((const char *)q.alg.bytes, q.alg.arg, q.sig.bytes, q.sig.arg,
                                      (const char *)q.certfile.bytes, q.certfile.arg);
            out_verdict(c, r);
            return;
        }
        if (id == FWV_SMP_FWSIGN_VERIFY && wr) { out_verdict(c, fwv_verify_staging()); return; }
        if (id == FWV_SMP_FWSIGN_MARK_BOOTABLE && wr) { out_verdict(c, fwv_mark_bootable()); return; }
        if (id == FWV_SMP_FWSIGN_STATUS && !wr) { fwsign_status(c); return; }
    }
    c->rc = FWV_SMP_ERR_ENOTSUP;
}

size_t fwv_smp_handle(const uint8_t *req, size_t req_len, uint8_t *rsp, size_t rsp_cap,
                      fwv_smp_after *after)
{
    if (req_len < FWV_SMP_HEADER_SIZE || rsp_cap < FWV_SMP_HEADER_SIZE + 16) return 0;
    uint8_t op = req[0] & 7;
    uint8_t version = (req[0] >> 3) & 3;
    uint16_t plen = (uint16_t)((req[2] << 8) | req[3]);
    uint16_t group = (uint16_t)((req[4] << 8) | req[5]);
    uint8_t id = req[7];
    if (op != FWV_SMP_OP_READ && op != FWV_SMP_OP_WRITE) return 0;
    if (plen != req_len - FWV_SMP_HEADER_SIZE) return 0;

    smp_ctx c;
    memset(&c, 0, sizeof c);
    after->reset = 0;
    after->boot_mode = 0;
    /* Map contents go after the header and a 3-byte map head worst case; the head is written
     * in front once the pair count is known. */
    uint8_t *body = rsp + FWV_SMP_HEADER_SIZE;
    cbor_writer_init(&c.w, body + 3, rsp_cap - FWV_SMP_HEADER_SIZE - 3);
    cbor_reader_init(&c.r, req + FWV_SMP_HEADER_SIZE, plen);
    cbor_item m;
    if (plen == 0) {
        c.pairs = 0; /* an empty payload is an empty map, as some clients send for reads */
    } else if (cbor_read(&c.r, &m) != 0 || m.major != CBOR_MAP) {
        c.rc = FWV_SMP_ERR_EINVAL;
        goto reply;
    } else {
        c.pairs = m.arg;
    }
    dispatch(&c, op, group, id, after);
reply:
    if (c.rc != 0 || c.w.err) {
        if (c.w.err) c.rc = FWV_SMP_ERR_ENOMEM;
        /* rc first: keep the pairs written so far (off, fwv) unless they overflowed */
        if (c.w.err) { cbor_writer_init(&c.w, body + 3, rsp_cap - FWV_SMP_HEADER_SIZE - 3); c.n_out = 0; }
        out_uint(&c, "rc", (uint32_t)c.rc);
    } else if (group == FWV_SMP_GROUP_IMAGE || group == FWV_SMP_GROUP_FWSIGN) {
        out_uint(&c, "rc", 0); /* MCUboot-style clients look for rc on image commands */
    }
    long n = cbor_writer_len(&c.w);
    if (n < 0) return 0;
    /* map head in front of the pairs */
    cbor_writer hw;
    uint8_t head[3];
    cbor_writer_init(&hw, head, sizeof head);
    cbor_put_head(&hw, CBOR_MAP, c.n_out);
    size_t hn = (size_t)cbor_writer_len(&hw);
    memmove(body + hn, body + 3, (size_t)n);
    memcpy(body, head, hn);
    size_t total = hn + (size_t)n;
    rsp[0] = (uint8_t)((version << 3) | (op + 1));
    rsp[1] = 0;
    rsp[2] = (uint8_t)(total >> 8);
    rsp[3] = (uint8_t)total;
    rsp[4] = req[4];
    rsp[5] = req[5];
    rsp[6] = req[6];
    rsp[7] = id;
    if (after->reset && c.rc != 0) after->reset = 0;
    return FWV_SMP_HEADER_SIZE + total;
}
