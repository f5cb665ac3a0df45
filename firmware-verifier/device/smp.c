/* SMP dispatch for the verifier: OS (echo, reset, MCUmgr parameters), image (state read and
 * write, upload, erase) and fwsign's own group (signature, verify, mark bootable, status). Ids
 * from protocol.h.
 *
 * Replies follow Zephyr's SMP server field for field, because stock clients (mcumgr, smpclient,
 * smpmgr, nRF Connect) parse them as Zephyr sends them: success in the OS and image groups
 * carries no rc; a generic failure is {rc} (MGMT_ERR_*); an image-group failure is
 * {err: {group: 1, rc: IMG_MGMT_ERR_*}} for an SMP version 2 request and, as Zephyr's
 * CONFIG_MCUMGR_SMP_SUPPORT_ORIGINAL_PROTOCOL translates it, {rc: MGMT_ERR_*} for version 1;
 * either may add {rsn} (CONFIG_MCUMGR_GRP_IMG_VERBOSE_ERR). fwsign's result codes (fwv, text)
 * appear only in fwsign's own group, which keeps rc on every reply. */
#include "smp.h"

#include <string.h>

#include "cbor.h"
#include "fwv/protocol.h"
#include "fwv/verify.h"
#include "port.h"
#include "slots.h"

typedef struct {
    cbor_reader r;   /* positioned after the request map's head */
    uint32_t pairs;  /* pairs in the request map */
    cbor_writer w;   /* response map contents */
    uint32_t n_out;  /* pairs written to the response */
    int rc;          /* MGMT_ERR_* for the response (0: success) */
    uint16_t img_rc; /* IMG_MGMT_ERR_* when the image group failed (v2 clients get this one) */
    uint8_t version; /* SMP version bits of the request: 1 = SMP version 2 */
    const char *rsn; /* optional reason text beside the error */
} smp_ctx;

/* Request fields every handler may look for: one pass over the map fills them in. */
typedef struct {
    cbor_item d, image, len, off, data, sha, upgrade, alg, sig, certfile, boot_mode, hash, confirm,
        slot, allow_downgrade;
    uint8_t has_d, has_image, has_len, has_off, has_data, has_sha, has_alg, has_sig, has_certfile,
        has_boot_mode, has_hash, has_confirm, has_slot, has_allow_downgrade;
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
        F("hash", hash) F("confirm", confirm) F("slot", slot) F("allow_downgrade", allow_downgrade)
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

/* The fwsign verdict: rc says whether the step succeeded, fwv and text say why not. `ok_text`
 * replaces FWV_OK's "verified" for steps that succeed without verifying anything. */
static void out_verdict(smp_ctx *c, fwv_result r, const char *ok_text)
{
    c->rc = r == FWV_OK ? FWV_SMP_ERR_EOK
            : r == FWV_ERR_FLASH ? FWV_SMP_ERR_EUNKNOWN
            : (r == FWV_ERR_STATE || r == FWV_ERR_NO_IMAGE || r == FWV_ERR_NOT_VERIFIED ||
               r == FWV_ERR_NO_SIGNATURE || r == FWV_ERR_DOWNGRADE) ? FWV_SMP_ERR_EBADSTATE
            : (r == FWV_ERR_ARG || r == FWV_ERR_UNKNOWN_ALG || r == FWV_ERR_BAD_LENGTH ||
               r == FWV_ERR_TOO_LARGE || r == FWV_ERR_BAD_IMAGE) ? FWV_SMP_ERR_EINVAL
            : FWV_SMP_ERR_ECORRUPT;
    out_uint(c, "fwv", (uint32_t)r);
    out_key(c, "text");
    cbor_put_tstr(&c->w, r == FWV_OK && ok_text ? ok_text : fwv_result_text(r));
}

static int is_uint(const cbor_item *it) { return it->major == CBOR_UINT; }

/* An image-group failure: the group's own code for v2 clients, its MGMT_ERR translation (as
 * Zephyr's img_mgmt_translate_error_code does it) for v1 clients, and a reason. */
static void img_err(smp_ctx *c, uint16_t img_rc, const char *rsn)
{
    int rc;
    switch (img_rc) {
    case FWV_SMP_IMG_ERR_NO_IMAGE: rc = FWV_SMP_ERR_ENOENT; break;
    case FWV_SMP_IMG_ERR_CURRENT_VERSION_IS_NEWER:
    case FWV_SMP_IMG_ERR_IMAGE_ALREADY_PENDING: rc = FWV_SMP_ERR_EBADSTATE; break;
    case FWV_SMP_IMG_ERR_INVALID_SLOT: case FWV_SMP_IMG_ERR_INVALID_OFFSET:
    case FWV_SMP_IMG_ERR_INVALID_LENGTH: case FWV_SMP_IMG_ERR_INVALID_IMAGE_HEADER:
    case FWV_SMP_IMG_ERR_INVALID_HASH: rc = FWV_SMP_ERR_EINVAL; break;
    default: rc = FWV_SMP_ERR_EUNKNOWN; break;
    }
    c->rc = rc;
    c->img_rc = img_rc;
    c->rsn = rsn;
}

/* A verifier result as an image-group failure (image test/confirm verify before they mark). */
static void img_err_result(smp_ctx *c, fwv_result r)
{
    uint16_t e = r == FWV_ERR_FLASH ? FWV_SMP_IMG_ERR_FLASH_WRITE_FAILED
                 : r == FWV_ERR_NO_IMAGE ? FWV_SMP_IMG_ERR_NO_IMAGE
                 : r == FWV_ERR_VECTOR_TABLE ? FWV_SMP_IMG_ERR_INVALID_IMAGE_VECTOR_TABLE
                 : r == FWV_ERR_DOWNGRADE ? FWV_SMP_IMG_ERR_CURRENT_VERSION_IS_NEWER
                 : r == FWV_ERR_BAD_IMAGE ? FWV_SMP_IMG_ERR_INVALID_TLV
                 : r == FWV_ERR_HASH_MISMATCH ? FWV_SMP_IMG_ERR_INVALID_HASH
                 : FWV_SMP_IMG_ERR_UNKNOWN;
    img_err(c, e, fwv_result_text(r));
}

/* Echo: everything it got, as Zephyr does; a reply that does not fit is MGMT_ERR_ENOMEM. */
static void os_echo(smp_ctx *c, const req_fields *q)
{
    if (!q->has_d || q->d.major != CBOR_TSTR) { c->rc = FWV_SMP_ERR_EINVAL; return; }
    out_key(c, "r");
    cbor_put_tstrn(&c->w, (const char *)q->d.bytes, q->d.arg);
}

static void put_flag(smp_ctx *c, const char *k, int v)
{
    cbor_put_tstr(&c->w, k);
    cbor_put_bool(&c->w, v);
}

static void put_version(smp_ctx *c, const fwv_image_version *v)
{
    char s[32];
    cbor_put_tstr(&c->w, "version");
    cbor_put_tstrn(&c->w, s, fwv_version_str(v, s));
}

/* Image state: the slots as Zephyr's img_mgmt_state_read lists them. Slot 0 is the active
 * image (confirmed once its test boot was confirmed), slot 1 the staging slot once an upload
 * there completed (pending after test or confirm, permanent after confirm). */
static void image_state(smp_ctx *c)
{
    fwv_slot_info s[2];
    int n = fwv_slots_info(s);
    out_key(c, "images");
    cbor_put_head(&c->w, CBOR_ARRAY, (uint32_t)n);
    for (int i = 0; i < n; i++) {
        cbor_put_head(&c->w, CBOR_MAP, 8);
        cbor_put_tstr(&c->w, "slot"); cbor_put_uint(&c->w, s[i].slot);
        put_version(c, &s[i].version);
        cbor_put_tstr(&c->w, "hash"); cbor_put_bstr(&c->w, s[i].hash, 32);
        put_flag(c, "bootable", s[i].bootable);
        put_flag(c, "pending", s[i].pending);
        put_flag(c, "confirmed", s[i].confirmed);
        put_flag(c, "active", s[i].active);
        put_flag(c, "permanent", s[i].permanent);
    }
    out_uint(c, "splitStatus", 0);
}

/* Image state write: {hash, confirm}. test (confirm false) or confirm of the staging image
 * verifies it and marks it pending; confirm with no hash (or the active image's) confirms the
 * running image. Answers the new state, as Zephyr does. */
static void image_state_write(smp_ctx *c, const req_fields *q)
{
    int confirm = q->has_confirm && cbor_item_is_true(&q->confirm);
    /* mcumgr's `image confirm` sends hash: null; an empty hash is no hash either */
    req_fields f = *q;
    if (f.has_hash && ((f.hash.major == CBOR_SIMPLE && f.hash.arg == 22) ||
                       (f.hash.major == CBOR_BSTR && f.hash.arg == 0)))
        f.has_hash = 0;
    q = &f;
    if ((q->has_hash && q->hash.major != CBOR_BSTR) ||
        (q->has_confirm && !cbor_item_is_true(&q->confirm) && !cbor_item_is_false(&q->confirm))) {
        c->rc = FWV_SMP_ERR_EINVAL;
        return;
    }
    if (!q->has_hash && !confirm) { img_err(c, FWV_SMP_IMG_ERR_INVALID_HASH, "hash required"); return; }
    int which = q->has_hash ? fwv_slot_by_hash(q->hash.bytes, q->hash.arg) : 0;
    if (which < 0) { img_err(c, FWV_SMP_IMG_ERR_NO_IMAGE, "no image with that hash"); return; }
    if (which == 0 && !confirm) { /* as Zephyr: the running image is confirmed, not tested */
        img_err(c, FWV_SMP_IMG_ERR_IMAGE_SETTING_TEST_TO_ACTIVE_DENIED,
                "the active image cannot be tested");
        return;
    }
    fwv_result r = which == 0 ? fwv_confirm_active() : fwv_test_staging(confirm);
    if (r != FWV_OK) { img_err_result(c, r); return; }
    image_state(c);
}

/* The staging slot holds the image a revert returns to (slots.h fwv_on_trial). */
#define ON_TRIAL "running image on trial: confirm it or reset first"

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
    case UPLOAD_OK: case UPLOAD_OFFSET: case UPLOAD_HASH_MISMATCH: break;
    case UPLOAD_TOO_LARGE:
        img_err(c, FWV_SMP_IMG_ERR_INVALID_IMAGE_TOO_LARGE, "image larger than the slot");
        return;
    case UPLOAD_FLASH:
        img_err(c, FWV_SMP_IMG_ERR_FLASH_WRITE_FAILED, "flash write failed");
        return;
    case UPLOAD_OVERRUN:
        img_err(c, FWV_SMP_IMG_ERR_INVALID_IMAGE_DATA_OVERRUN, "data past the image length");
        return;
    case UPLOAD_ON_TRIAL:
        img_err(c, FWV_SMP_IMG_ERR_IMAGE_ALREADY_PENDING, ON_TRIAL);
        return;
    default:
        img_err(c, FWV_SMP_IMG_ERR_INVALID_LENGTH, "len missing, zero or sha over 32 bytes");
        return;
    }
    /* Success, including a wrong offset (the reply says where to go on) and a final hash that
     * does not match `sha` (match: false), as Zephyr answers both. */
    out_uint(c, "off", next);
    if (s != UPLOAD_OFFSET && fwv_stage.complete) {
        out_key(c, "match");
        cbor_put_bool(&c->w, fwv_stage.sha_ok);
    }
}

static void image_erase(smp_ctx *c, const req_fields *q)
{
    if (q->has_slot && (!is_uint(&q->slot) || q->slot.arg != 1)) {
        img_err(c, FWV_SMP_IMG_ERR_INVALID_SLOT, "only slot 1 (staging) can be erased");
        return;
    }
    fwv_result r = fwv_erase_staging();
    if (r == FWV_ERR_STATE)
        img_err(c, FWV_SMP_IMG_ERR_IMAGE_ALREADY_PENDING, ON_TRIAL);
    else if (r != FWV_OK)
        img_err(c, FWV_SMP_IMG_ERR_FLASH_ERASE_FAILED, "flash erase failed");
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
        if (id == FWV_SMP_IMAGE_STATE && wr) { image_state_write(c, &q); return; }
        if (id == FWV_SMP_IMAGE_STATE) { image_state(c); return; }
        if (id == FWV_SMP_IMAGE_UPLOAD && wr) { image_upload(c, &q); return; }
        if (id == FWV_SMP_IMAGE_ERASE && wr) { image_erase(c, &q); return; }
    } else if (group == FWV_SMP_GROUP_FWSIGN) {
        if (id == FWV_SMP_FWSIGN_SIGNATURE && wr) {
            fwv_result r = FWV_ERR_ARG;
            if (q.has_alg && q.alg.major == CBOR_TSTR && q.has_sig && q.sig.major == CBOR_BSTR &&
                q.has_certfile && q.certfile.major == CBOR_TSTR)
                r = fwv_set_signature((const char *)q.alg.bytes, q.alg.arg, q.sig.bytes, q.sig.arg,
                                      (const char *)q.certfile.bytes, q.certfile.arg);
            out_verdict(c, r, "signature stored, not verified yet");
            return;
        }
        if (id == FWV_SMP_FWSIGN_VERIFY && wr) { out_verdict(c, fwv_verify_staging(), NULL); return; }
        if (id == FWV_SMP_FWSIGN_MARK_BOOTABLE && wr) {
            /* allow_downgrade: true is the deliberate step past the version check */
            int down = q.has_allow_downgrade && cbor_item_is_true(&q.allow_downgrade);
            out_verdict(c, fwv_mark_bootable(down), NULL);
            return;
        }
        if (id == FWV_SMP_FWSIGN_STATUS && !wr) { fwsign_status(c); return; }
    }
    c->rc = FWV_SMP_ERR_ENOTSUP;
}

/* Writes the reply: the error fields (see the top of this file), then the map head in front of
 * the pairs and the header. Returns the reply's length, or 0 if it does not fit. */
static size_t finish_reply(smp_ctx *c, const uint8_t *req, uint8_t *rsp, size_t rsp_cap,
                           fwv_smp_after *after)
{
    uint16_t group = (uint16_t)((req[4] << 8) | req[5]);
    uint8_t *body = rsp + FWV_SMP_HEADER_SIZE;
    if (c->w.err) { c->rc = FWV_SMP_ERR_ENOMEM; c->img_rc = 0; c->rsn = NULL; }
    if (c->w.err || (c->rc != 0 && group != FWV_SMP_GROUP_FWSIGN)) {
        /* Zephyr's error replies carry the error alone: drop what the handler wrote (fwsign's
         * group keeps its verdict beside the rc) */
        cbor_writer_init(&c->w, body + 3, rsp_cap - FWV_SMP_HEADER_SIZE - 3);
        c->n_out = 0;
    }
    if (c->rc != 0 && c->img_rc != 0 && c->version >= 1) {
        out_key(c, "err");
        cbor_put_head(&c->w, CBOR_MAP, 2);
        cbor_put_tstr(&c->w, "group"); cbor_put_uint(&c->w, group);
        cbor_put_tstr(&c->w, "rc"); cbor_put_uint(&c->w, c->img_rc);
    } else if (c->rc != 0 || group == FWV_SMP_GROUP_FWSIGN) {
        out_uint(c, "rc", (uint32_t)c->rc); /* fwsign's group keeps rc on every reply */
    }
    if (c->rc != 0 && c->rsn) {
        out_key(c, "rsn");
        cbor_put_tstr(&c->w, c->rsn);
    }
    long n = cbor_writer_len(&c->w);
    if (n < 0) return 0;
    /* map head in front of the pairs */
    cbor_writer hw;
    uint8_t head[3];
    cbor_writer_init(&hw, head, sizeof head);
    cbor_put_head(&hw, CBOR_MAP, c->n_out);
    size_t hn = (size_t)cbor_writer_len(&hw);
    memmove(body + hn, body + 3, (size_t)n);
    memcpy(body, head, hn);
    size_t total = hn + (size_t)n;
    rsp[0] = (uint8_t)((c->version << 3) | ((req[0] & 7) + 1));
    rsp[1] = 0;
    rsp[2] = (uint8_t)(total >> 8);
    rsp[3] = (uint8_t)total;
    rsp[4] = req[4];
    rsp[5] = req[5];
    rsp[6] = req[6];
    rsp[7] = req[7];
    if (after->reset && c->rc != 0) after->reset = 0;
    return FWV_SMP_HEADER_SIZE + total;
}

/* The context for a request whose header is valid (0 when it gets no reply: a response op). */
static int begin(smp_ctx *c, const uint8_t *req, size_t req_len, uint8_t *rsp, size_t rsp_cap,
                 fwv_smp_after *after)
{
    if (req_len < FWV_SMP_HEADER_SIZE || rsp_cap < FWV_SMP_HEADER_SIZE + 16) return 0;
    uint8_t op = req[0] & 7;
    if (op != FWV_SMP_OP_READ && op != FWV_SMP_OP_WRITE) return 0;
    memset(c, 0, sizeof *c);
    c->version = (req[0] >> 3) & 3;
    after->reset = 0;
    after->boot_mode = 0;
    /* Map contents go after the header and a 3-byte map head worst case; the head is written
     * in front once the pair count is known. */
    cbor_writer_init(&c->w, rsp + FWV_SMP_HEADER_SIZE + 3, rsp_cap - FWV_SMP_HEADER_SIZE - 3);
    return 1;
}

size_t fwv_smp_error(const uint8_t *req, size_t req_len, uint8_t *rsp, size_t rsp_cap, int rc,
                     fwv_smp_after *after)
{
    smp_ctx c;
    if (!begin(&c, req, req_len, rsp, rsp_cap, after)) return 0;
    c.rc = rc;
    return finish_reply(&c, req, rsp, rsp_cap, after);
}

size_t fwv_smp_handle(const uint8_t *req, size_t req_len, uint8_t *rsp, size_t rsp_cap,
                      fwv_smp_after *after)
{
    smp_ctx c;
    if (!begin(&c, req, req_len, rsp, rsp_cap, after)) return 0;
    uint16_t plen = (uint16_t)((req[2] << 8) | req[3]);
    if (plen != req_len - FWV_SMP_HEADER_SIZE) return 0;
    cbor_reader_init(&c.r, req + FWV_SMP_HEADER_SIZE, plen);
    cbor_item m;
    if (plen == 0) {
        c.pairs = 0; /* an empty payload is an empty map, as some clients send for reads */
    } else if (cbor_read(&c.r, &m) != 0 || m.major != CBOR_MAP) {
        c.rc = FWV_SMP_ERR_EINVAL;
    } else {
        c.pairs = m.arg;
        dispatch(&c, req[0] & 7, (uint16_t)((req[4] << 8) | req[5]), req[7], after);
    }
    return finish_reply(&c, req, rsp, rsp_cap, after);
}
