/* Slots, trailers, upload, verify, mark-bootable and the boot decision: see slots.h. */
#include "slots.h"

#include <string.h>

#include "fwv/anchors.h"
#include "fwv/verify.h"
#include "mcuboot.h"
#include "port.h"

#ifndef FWV_COPY_CHUNK
#define FWV_COPY_CHUNK 256u /* bytes per read/write while copying or verifying a slot */
#endif

fwv_staging fwv_stage;
static fwv_verify_ctx vctx; /* static: the RSA/ECDSA work is deep enough without it on the stack */

uint32_t fwv_slot_capacity(void)
{
    const fwv_layout *l = port_layout();
    return l->slot_size - l->sector_size;
}

uint32_t fwv_trailer_addr(uint32_t slot) { return slot + fwv_slot_capacity(); }

void fwv_stage_reset(void)
{
    memset(&fwv_stage, 0, sizeof fwv_stage);
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24);
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

/* Offsets inside the trailer record. */
enum { T_MAGIC = 0, T_STATE = 4, T_LEN = 8, T_ALG = 12, T_NAMELEN = 13, T_SIGLEN = 14, T_NAME = 16,
       T_SIG = 80, T_SHA = FWV_TRAILER_SHA_OFFSET, T_VER = FWV_TRAILER_VERSION_OFFSET, T_FLAGS = 376, T_SRC = 380, T_CRC = 384 };

static void version_put(uint8_t *p, const fwv_image_version *v)
{
    p[0] = v->major;
    p[1] = v->minor;
    p[2] = (uint8_t)v->revision;
    p[3] = (uint8_t)(v->revision >> 8);
    put32(p + 4, v->build);
}

int fwv_trailer_read(uint32_t slot, fwv_trailer *t) { return fwv_record_read(fwv_trailer_addr(slot), t); }

int fwv_record_read(uint32_t addr, fwv_trailer *t)
{
    uint8_t b[FWV_TRAILER_SIZE];
    if (port_flash_read(addr, b, sizeof b) != 0) return -1;
    if (get32(b + T_MAGIC) != FWV_TRAILER_MAGIC) return -1;
    if (get32(b + T_CRC) != fwv_crc32(b, T_CRC)) return -1;
    t->state = get32(b + T_STATE);
    t->len = get32(b + T_LEN);
    t->alg = b[T_ALG];
    t->name_len = b[T_NAMELEN];
    t->sig_len = (uint16_t)(b[T_SIGLEN] | (b[T_SIGLEN + 1] << 8));
    if (t->name_len == 0 || t->name_len > FWV_CERTFILE_MAX || t->sig_len == 0 ||
        t->sig_len > FWV_SIG_MAX || t->len == 0 || t->len > fwv_slot_capacity())
        return -1;
    memcpy(t->name, b + T_NAME, 64);
    memcpy(t->sig, b + T_SIG, FWV_SIG_MAX);
    memcpy(t->sha256, b + T_SHA, 32);
    fwv_version_get(b + T_VER, &t->version);
    t->flags = get32(b + T_FLAGS);
    t->src_off = get32(b + T_SRC);
    if (t->src_off > fwv_slot_capacity() - t->len) return -1;
    return 0;
}

int fwv_trailer_write(uint32_t slot, const fwv_trailer *t)
{
    if (port_flash_erase(fwv_trailer_addr(slot)) != 0) return -1;
    return fwv_record_write(fwv_trailer_addr(slot), t);
}

int fwv_record_write(uint32_t addr, const fwv_trailer *t)
{
    uint8_t b[FWV_TRAILER_SIZE];
    memset(b, 0, sizeof b);
    put32(b + T_MAGIC, FWV_TRAILER_MAGIC);
    put32(b + T_STATE, t->state);
    put32(b + T_LEN, t->len);
    b[T_ALG] = t->alg;
    b[T_NAMELEN] = t->name_len;
    b[T_SIGLEN] = (uint8_t)t->sig_len;
    b[T_SIGLEN + 1] = (uint8_t)(t->sig_len >> 8);
    memcpy(b + T_NAME, t->name, 64);
    memcpy(b + T_SIG, t->sig, FWV_SIG_MAX);
    memcpy(b + T_SHA, t->sha256, 32);
    version_put(b + T_VER, &t->version);
    put32(b + T_FLAGS, t->flags);
    put32(b + T_SRC, t->src_off);
    put32(b + T_CRC, fwv_crc32(b, T_CRC));
    return port_flash_write(addr, b, sizeof b);
}

/* ---- upload ---- */

/* An MCUboot-format upload: its header says where the payload is and which version it is, its
 * TLVs carry the signature (fwsign pack), which a later SIGNATURE may still replace. */
static void take_mcuboot(fwv_staging *s, uint32_t addr)
{
    static fwv_mcuboot_image m; /* static: 400 bytes the upload path's stack need not carry */
    fwv_result r = fwv_mcuboot_read(addr, s->len, &m);
    s->mcuboot = 1;
    s->bad_image = (uint8_t)r;
    /* a malformed image is named by the SHA-256 of what arrived */
    memcpy(s->image_hash, s->sha, 32);
    if (r != FWV_OK) return;
    s->payload_off = m.hdr_size;
    s->payload_len = m.img_size;
    s->version = m.version;
    memcpy(s->image_hash, m.hash, 32);
    if (m.sig_len && m.certfile_len && m.alg_len)
        fwv_set_signature(m.alg, m.alg_len, m.sig, m.sig_len, m.certfile, m.certfile_len);
}

static int ensure_erased(uint32_t end)
{
    const fwv_layout *l = port_layout();
    while (fwv_stage.erased_to < end) {
        if (port_flash_erase(l->staging + fwv_stage.erased_to) != 0) return -1;
        fwv_stage.erased_to += l->sector_size;
    }
    return 0;
}

fwv_upload_status fwv_upload_chunk(uint32_t off, const uint8_t *data, size_t n, int has_len,
                                   uint32_t len, const uint8_t *sha, size_t sha_len,
                                   uint32_t *next)
{
    fwv_staging *s = &fwv_stage;
    const fwv_layout *l = port_layout();
    if (off == 0 && has_len) {
        if (sha_len > 32) return *next = s->received, UPLOAD_BAD_ARG;
        if (len == 0) return *next = s->received, UPLOAD_BAD_ARG;
        if (len > fwv_slot_capacity()) return *next = s->received, UPLOAD_TOO_LARGE;
        /* The same image again (same length and hash) resumes where it stopped, as Zephyr's
         * img_mgmt does; anything else starts over. */
        int resume = s->len == len && s->received > 0 && !s->complete && sha_len > 0 &&
                     s->sha_want_len == sha_len && memcmp(s->sha_want, sha, sha_len) == 0;
        if (!resume) {
            /* The staging slot holds the way back of an image on trial: confirm or reset first. */
            if (fwv_on_trial()) return *next = s->received, UPLOAD_ON_TRIAL;
            /* A new upload replaces the staging image: an install journalled for the old one
             * (image test) is cancelled first, so the next boot cannot copy a half upload. */
            fwv_trailer j;
            if (fwv_trailer_read(l->staging, &j) == 0 && port_flash_erase(fwv_trailer_addr(l->staging)) != 0)
                return *next = s->received, UPLOAD_FLASH;
            /* A signature belongs to the image it was handed over for: a new upload drops it. */
            s->has_sig = 0;
            s->len = len;
            s->received = 0;
            s->erased_to = 0;
            s->complete = 0;
            s->sha_ok = 0;
            s->verified = 0;
            s->mcuboot = s->bad_image = 0;
            memset(&s->version, 0, sizeof s->version);
            s->sha_want_len = (uint8_t)sha_len;
            if (sha_len) memcpy(s->sha_want, sha, sha_len);
            fwv_sha256_init(&s->hash);
        }
    }
    if (s->len == 0 || off != s->received || s->complete) {
        *next = s->received; /* wrong offset, or nothing started: tell the host where we are */
        return UPLOAD_OFFSET;
    }
    if (n > s->len - s->received) return *next = s->received, UPLOAD_OVERRUN;
    s->verified = 0;
    size_t done = 0;
    while (done < n) {
        /* Writes never cross a sector, so they can be erased just ahead of the data. */
        uint32_t pos = s->received;
        uint32_t room = l->sector_size - pos % l->sector_size;
        uint32_t k = (uint32_t)(n - done) < room ? (uint32_t)(n - done) : room;
        if (ensure_erased(pos + k) != 0 || port_flash_write(l->staging + pos, data + done, k) != 0) {
            *next = s->received;
            return UPLOAD_FLASH;
        }
        fwv_sha256_update(&s->hash, data + done, k);
        s->received += k;
        done += k;
    }
    *next = s->received;
    if (s->received == s->len) {
        fwv_sha256_final(&s->hash, s->sha);
        s->complete = 1;
        s->sha_ok = s->sha_want_len == 0 || memcmp(s->sha, s->sha_want, s->sha_want_len) == 0;
        if (!s->sha_ok) return UPLOAD_HASH_MISMATCH;
        if (fwv_mcuboot_is_image(l->staging, s->len)) take_mcuboot(s, l->staging);
    }
    return UPLOAD_OK;
}

/* ---- signature and verification ---- */

fwv_result fwv_set_signature(const char *alg, size_t alg_len, const uint8_t *sig, size_t sig_len,
                             const char *certfile, size_t certfile_len)
{
    fwv_staging *s = &fwv_stage;
    s->has_sig = 0;
    s->verified = 0;
    int a = fwv_alg_from_name(alg, alg_len);
    if (a <= 0) return FWV_ERR_UNKNOWN_ALG;
    if (sig_len == 0 || sig_len > FWV_SIG_MAX) return FWV_ERR_BAD_LENGTH;
    if (certfile_len == 0 || certfile_len > FWV_CERTFILE_MAX) return FWV_ERR_ARG;
    s->alg = (uint8_t)a;
    s->sig_len = (uint16_t)sig_len;
    memset(s->sig, 0, sizeof s->sig);
    memcpy(s->sig, sig, sig_len);
    s->name_len = (uint8_t)certfile_len;
    memset(s->name, 0, sizeof s->name);
    memcpy(s->name, certfile, certfile_len);
    s->has_sig = 1;
    return FWV_OK;
}

fwv_result fwv_verify_slot(uint32_t addr, const fwv_trailer *t)
{
    const fwv_layout *l = port_layout();
    const uint8_t *table = port_flash_map(l->anchors, l->anchors_size);
    fwv_anchor anchor;
    if (table == NULL) return FWV_ERR_ANCHOR_TABLE;
    fwv_result r = fwv_anchors_find(table, l->anchors_size, t->name, t->name_len, &anchor);
    if (r != FWV_OK) return r;
    r = fwv_verify_init(&vctx, t->alg, t->len);
    if (r != FWV_OK) return r;
    uint8_t buf[FWV_COPY_CHUNK];
    for (uint32_t off = 0; off < t->len; off += FWV_COPY_CHUNK) {
        uint32_t k = t->len - off < FWV_COPY_CHUNK ? t->len - off : FWV_COPY_CHUNK;
        if (port_flash_read(addr + off, buf, k) != 0) return FWV_ERR_FLASH;
        r = fwv_verify_update(&vctx, buf, k);
        if (r != FWV_OK) return r;
    }
    return fwv_verify_final(&vctx, &anchor, t->sig, t->sig_len);
}

static void stage_to_trailer(fwv_trailer *t, uint32_t state)
{
    fwv_staging *s = &fwv_stage;
    memset(t, 0, sizeof *t);
    t->state = state;
    t->len = s->mcuboot ? s->payload_len : s->len;
    t->src_off = s->mcuboot ? s->payload_off : 0;
    t->alg = s->alg;
    t->name_len = s->name_len;
    t->sig_len = s->sig_len;
    memcpy(t->name, s->name, sizeof t->name);
    memcpy(t->sig, s->sig, sizeof t->sig);
    memcpy(t->sha256, s->mcuboot ? s->image_hash : s->sha, 32);
    t->version = s->version;
}

fwv_result fwv_check_vectors(uint32_t addr, uint32_t len)
{
    const fwv_layout *l = port_layout();
    uint8_t vt[8];
    if (len < sizeof vt) return FWV_ERR_VECTOR_TABLE;
    if (port_flash_read(addr, vt, sizeof vt) != 0) return FWV_ERR_FLASH;
    uint32_t sp = get32(vt), pc = get32(vt + 4);
    /* The image runs from the active slot, whatever slot it is checked in. */
    if (sp < l->ram_start || sp > l->ram_end || (sp & 3u) != 0) return FWV_ERR_VECTOR_TABLE;
    if ((pc & 1u) == 0 || pc - 1u < l->active || pc - 1u >= l->active + len)
        return FWV_ERR_VECTOR_TABLE;
    return FWV_OK;
}

fwv_result fwv_verify_staging(void)
{
    fwv_staging *s = &fwv_stage;
    s->verified = 0;
    if (!s->complete) return FWV_ERR_NO_IMAGE;
    if (!s->sha_ok) return FWV_ERR_HASH_MISMATCH;
    if (s->bad_image) return (fwv_result)s->bad_image;
    if (!s->has_sig) return FWV_ERR_NO_SIGNATURE;
    fwv_trailer t;
    stage_to_trailer(&t, TRAILER_NONE);
    uint32_t image = port_layout()->staging + t.src_off;
    fwv_result r = fwv_verify_slot(image, &t);
    /* Refuse what cannot start here (another board's image, validly signed) now, before the
     * image that runs is overwritten. */
    if (r == FWV_OK) r = fwv_check_vectors(image, t.len);
    s->verified = r == FWV_OK;
    return r;
}

/* ---- mark bootable, image test and confirm: journal an install ---- */

/* Re-verifies the staging slot from flash and writes the journal that makes the next step (now,
 * or at the next boot) install it: what gets journalled is what is in the slot now, not a
 * verdict about bytes that may have changed since. */
static fwv_result journal_staging(uint32_t state, uint32_t flags, int allow_downgrade,
                                  fwv_trailer *t)
{
    fwv_result r = fwv_verify_staging();
    if (r != FWV_OK) return r;
    fwv_trailer a;
    const fwv_layout *l = port_layout();
    /* Downgrade protection: the header's version against the installed one's */
    if (!allow_downgrade && fwv_trailer_read(l->active, &a) == 0 && a.state == TRAILER_ACTIVE &&
        fwv_version_cmp(&fwv_stage.version, &a.version) < 0)
        return FWV_ERR_DOWNGRADE;
    stage_to_trailer(t, state);
    t->flags = flags;
    return fwv_trailer_write(port_layout()->staging, t) == 0 ? FWV_OK : FWV_ERR_FLASH;
}

fwv_result fwv_mark_bootable(int allow_downgrade)
{
    if (!fwv_stage.verified) return FWV_ERR_NOT_VERIFIED;
    fwv_trailer t;
    fwv_result r = journal_staging(TRAILER_COPY_PENDING, TRAILER_F_PERMANENT, allow_downgrade, &t);
    if (r == FWV_OK) r = fwv_finish_copy(&t);
    if (r == FWV_OK) fwv_stage_reset();
    return r;
}

fwv_result fwv_test_staging(int permanent)
{
    if (!fwv_stage.complete) return FWV_ERR_NO_IMAGE;
    fwv_trailer t;
    const fwv_layout *l = port_layout();
    /* The swap log (slots.h) must fit in the trailer sector, as it does in every layout here. */
    if (!permanent &&
        FWV_SWAP_LOG_OFFSET + 2u + 3u * (fwv_slot_capacity() / l->sector_size) > l->sector_size)
        return FWV_ERR_STATE;
    /* A test swaps (the running image is kept for the revert), a confirm copies. */
    return permanent ? journal_staging(TRAILER_COPY_PENDING, TRAILER_F_PERMANENT, 0, &t)
                     : journal_staging(TRAILER_SWAP_PENDING, 0, 0, &t);
}

int fwv_active_confirmed(const fwv_trailer *t)
{
    uint8_t ok = 0xFF;
    if (t->flags & TRAILER_F_PERMANENT) return 1;
    port_flash_read(fwv_trailer_addr(port_layout()->active) + FWV_CONFIRM_OFFSET, &ok, 1);
    return ok != 0xFF;
}

fwv_result fwv_confirm_active(void)
{
    static const uint8_t zero = 0;
    fwv_trailer t;
    const fwv_layout *l = port_layout();
    if (fwv_trailer_read(l->active, &t) != 0 || t.state != TRAILER_ACTIVE) return FWV_ERR_NO_IMAGE;
    if (fwv_active_confirmed(&t)) return FWV_OK;
    /* One byte, never the record: a cut cannot leave the running image without a trailer. */
    return port_flash_write(fwv_trailer_addr(l->active) + FWV_CONFIRM_OFFSET, &zero, 1) == 0
               ? FWV_OK
               : FWV_ERR_FLASH;
}

fwv_result fwv_erase_staging(void)
{
    const fwv_layout *l = port_layout();
    if (fwv_on_trial()) return FWV_ERR_STATE;
    fwv_stage_reset();
    /* The trailer (a journalled install) first: the slot is never half erased with it valid. */
    if (port_flash_erase(fwv_trailer_addr(l->staging)) != 0) return FWV_ERR_FLASH;
    for (uint32_t off = 0; off < fwv_slot_capacity(); off += l->sector_size)
        if (port_flash_erase(l->staging + off) != 0) return FWV_ERR_FLASH;
    return FWV_OK;
}

/* A cleared entry for `slot` naming the image by version and hash. */
static fwv_slot_info *slot_entry(fwv_slot_info *o, uint32_t slot, const fwv_image_version *v,
                                 const uint8_t *hash)
{
    memset(o, 0, sizeof *o);
    o->slot = slot;
    o->version = *v;
    memcpy(o->hash, hash, 32);
    return o;
}

/* The staging trailer sector's swap log has begun (install.c). */
static int swap_started(void)
{
    uint8_t b = 0xFF;
    port_flash_read(fwv_trailer_addr(port_layout()->staging) + FWV_SWAP_LOG_OFFSET, &b, 1);
    return b != 0xFF;
}

int fwv_slots_info(fwv_slot_info out[2])
{
    const fwv_layout *l = port_layout();
    fwv_trailer t;
    const fwv_staging *s = &fwv_stage;
    int n = 0;
    if (fwv_trailer_read(l->active, &t) == 0 && t.state == TRAILER_ACTIVE) {
        fwv_slot_info *o = slot_entry(&out[n++], 0, &t.version, t.sha256);
        o->bootable = o->active = 1;
        o->confirmed = fwv_active_confirmed(&t);
    }
    int trial = n == 1 && !out[0].confirmed;
    fwv_trailer p;
    if (fwv_previous_image(&p)) {
        /* The way back: as Zephyr lists MCUboot's revert, the image the next boot returns to is
         * the confirmed one while the running image is on trial. */
        fwv_slot_info *o = slot_entry(&out[n++], 1, &p.version, p.sha256);
        o->bootable = 1;
        o->confirmed = trial;
    } else if (fwv_trailer_read(l->staging, &t) == 0 &&
               (t.state == TRAILER_COPY_PENDING || t.state == TRAILER_SWAP_PENDING) &&
               !swap_started()) {
        fwv_slot_info *o = slot_entry(&out[n++], 1, &t.version, t.sha256);
        o->bootable = o->pending = 1;
        o->permanent = (t.flags & TRAILER_F_PERMANENT) != 0;
    } else if (s->complete) {
        slot_entry(&out[n++], 1, &s->version, s->mcuboot ? s->image_hash : s->sha)->bootable =
            s->verified;
    }
    return n;
}

int fwv_slot_by_hash(const uint8_t *hash, size_t n)
{
    fwv_slot_info s[2];
    int k = fwv_slots_info(s);
    if (n == 0 || n > 32) return -1;
    for (int i = 0; i < k; i++)
        if (memcmp(s[i].hash, hash, n) == 0) return (int)s[i].slot;
    return -1;
}
