/* Shared helpers for the device host tests: see device_util.h. */
#include "device_util.h"

#include <stdlib.h>
#include <string.h>

#include "fwv/anchors.h"
#include "fwv/sha256.h"

int t_pass, t_fail;

int t_report(void)
{
    printf("%d passed, %d failed\n", t_pass, t_fail);
    return t_fail ? 1 : 0;
}

uint32_t test_rand(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5; /* xorshift32: reproducible chunkings */
    return *s;
}

void req_begin(req_builder *b, uint32_t pairs)
{
    cbor_writer_init(&b->w, b->buf, sizeof b->buf);
    cbor_put_head(&b->w, CBOR_MAP, pairs);
}

typedef struct {
    uint8_t *p;
    size_t n, cap;
} sink;
static void sink_write(void *ctx, const uint8_t *d, size_t n)
{
    sink *s = ctx;
    if (s->n + n > s->cap) {
        fprintf(stderr, "test stream overflow\n");
        exit(2);
    }
    memcpy(s->p + s->n, d, n);
    s->n += n;
}

int smp_version = 1;

size_t frame_request(uint8_t *stream, size_t cap, uint8_t op, uint16_t group, uint8_t id,
                     uint8_t seq, const uint8_t *payload, size_t n)
{
    static uint8_t pkt[2 * FWV_BUF_SIZE]; /* room for requests longer than the device takes */
    pkt[2] = (uint8_t)((smp_version << 3) | op);
    pkt[3] = 0;
    pkt[4] = (uint8_t)(n >> 8);
    pkt[5] = (uint8_t)n;
    pkt[6] = (uint8_t)(group >> 8);
    pkt[7] = (uint8_t)group;
    pkt[8] = seq;
    pkt[9] = id;
    memcpy(pkt + 10, payload, n);
    sink s = {stream, 0, cap};
    frame_encode(pkt, n + 8, sink_write, &s);
    return s.n;
}

static uint8_t rbuf[FWV_BUF_SIZE + 64];
static uint8_t *racq(void *ctx)
{
    (void)ctx;
    return rbuf;
}

int take_responses(smp_msg *out, int max)
{
    frame_decoder d;
    frame_decoder_init(&d, racq, NULL, sizeof rbuf);
    int k = 0;
    for (size_t i = 0; i < host_tx_len; i++) {
        if (frame_decoder_feed(&d, host_tx[i]) == FRAME_PACKET && k < max) {
            memcpy(out[k].msg, rbuf, d.body_len);
            out[k].len = d.body_len;
            frame_decoder_take(&d);
            k++;
        }
    }
    host_tx_clear();
    return k;
}

static uint8_t seq_no;

int transact(uint8_t op, uint16_t group, uint8_t id, const req_builder *b, smp_msg *rsp)
{
    static uint8_t stream[4 * FWV_BUF_SIZE];
    long blen = b ? cbor_writer_len(&b->w) : 0;
    if (blen < 0) {
        fprintf(stderr, "test request overflowed its buffer\n");
        exit(2);
    }
    size_t plen = (size_t)blen;
    uint8_t seq = ++seq_no;
    size_t n = frame_request(stream, sizeof stream, op, group, id, seq, b ? b->buf : NULL, plen);
    fwv_device_rx(stream, n);
    fwv_device_poll();
    smp_msg m[2];
    if (take_responses(m, 2) != 1) return -1;
    if (m[0].len < 8 || m[0].msg[6] != seq || (m[0].msg[0] & 7) != op + 1) return -1;
    *rsp = m[0];
    return 0;
}

int rsp_get(const smp_msg *m, const char *key, cbor_item *out)
{
    cbor_reader r;
    cbor_item it;
    cbor_reader_init(&r, m->msg + 8, m->len - 8);
    if (cbor_read(&r, &it) != 0 || it.major != CBOR_MAP) return -1;
    for (uint32_t i = 0; i < it.arg; i++) {
        cbor_item k, v;
        if (cbor_read(&r, &k) != 0 || cbor_read(&r, &v) != 0) return -1;
        if (cbor_tstr_eq(&k, key)) {
            *out = v;
            return 0;
        }
        if (cbor_skip_contents(&r, &v) != 0) return -1;
    }
    return -1;
}

long rsp_uint(const smp_msg *m, const char *key)
{
    cbor_item v;
    if (rsp_get(m, key, &v) != 0 || v.major != CBOR_UINT) return -1;
    return (long)v.arg;
}

long rsp_err(const smp_msg *m, long *group)
{
    if (group) *group = -1;
    long rc = rsp_uint(m, "rc");
    if (rc >= 0) return rc;
    cbor_reader r;
    cbor_item it, k, v;
    cbor_reader_init(&r, m->msg + 8, m->len - 8);
    if (cbor_read(&r, &it) != 0 || it.major != CBOR_MAP) return -1;
    for (uint32_t i = 0; i < it.arg; i++) {
        if (cbor_read(&r, &k) != 0 || cbor_read(&r, &v) != 0) return -1;
        if (!cbor_tstr_eq(&k, "err") || v.major != CBOR_MAP) {
            if (cbor_skip_contents(&r, &v) != 0) return -1;
            continue;
        }
        long out = -1;
        for (uint32_t j = 0; j < v.arg; j++) { /* the err map's pairs follow its head */
            cbor_item k2, v2;
            if (cbor_read(&r, &k2) != 0 || cbor_read(&r, &v2) != 0) return -1;
            if (cbor_tstr_eq(&k2, "rc") && v2.major == CBOR_UINT) out = (long)v2.arg;
            if (cbor_tstr_eq(&k2, "group") && v2.major == CBOR_UINT && group) *group = (long)v2.arg;
        }
        return out;
    }
    return 0;
}

size_t load_fixture(const char *name, uint8_t *buf, size_t cap)
{
    const char *dir = getenv("FWV_FIXTURES");
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir ? dir : "build/device-fixtures", name);
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "missing fixture %s (run test/device_fixtures.sh)\n", path);
        exit(2);
    }
    size_t n = fread(buf, 1, cap, f);
    fclose(f);
    return n;
}

static void put_anchor(uint8_t *e, uint8_t type, const char *name, const uint8_t *key, size_t klen)
{
    memset(e, 0, FWV_TA_ENTRY_SIZE);
    e[FWV_TA_ENTRY_KEY_TYPE_OFFSET] = type;
    e[FWV_TA_ENTRY_NAME_LENGTH_OFFSET] = (uint8_t)strlen(name);
    memcpy(e + FWV_TA_ENTRY_NAME_OFFSET, name, strlen(name));
    fwv_sha256_ctx h; /* stands in for the certificate's hash: the tests have no certificate */
    fwv_sha256_init(&h);
    fwv_sha256_update(&h, key, klen);
    fwv_sha256_final(&h, e + FWV_TA_ENTRY_CERT_SHA256_OFFSET);
    memcpy(e + FWV_TA_ENTRY_KEY_OFFSET, key, klen);
}

static int hexval(int c) { return c <= '9' ? c - '0' : (c | 32) - 'a' + 10; }

void provision_anchors(void)
{
    uint8_t t[FWV_TA_HEADER_SIZE + 3 * FWV_TA_ENTRY_SIZE + 4];
    uint8_t key[260], hex[600];
    uint32_t total = sizeof t;
    memset(t, 0, sizeof t);
    uint32_t magic = FWV_TA_MAGIC;
    for (int i = 0; i < 4; i++) t[i] = (uint8_t)(magic >> (8 * i));
    t[4] = FWV_TA_VERSION;
    t[6] = 3;
    for (int i = 0; i < 4; i++) t[8 + i] = (uint8_t)(total >> (8 * i));
    load_fixture("ec1.pub", key, 65);
    put_anchor(t + 16, FWV_KEY_EC_P256, "ec1.crt", key, 65);
    load_fixture("ec2.pub", key, 65);
    put_anchor(t + 16 + FWV_TA_ENTRY_SIZE, FWV_KEY_EC_P256, "ec2.crt", key, 65);
    size_t hn = load_fixture("rsa.mod.hex", hex, sizeof hex);
    if (hn < 512) {
        fprintf(stderr, "rsa.mod.hex too short\n");
        exit(2);
    }
    for (int i = 0; i < 256; i++) key[i] = (uint8_t)(hexval(hex[2 * i]) << 4 | hexval(hex[2 * i + 1]));
    key[256] = 0;
    key[257] = 1;
    key[258] = 0;
    key[259] = 1; /* e = 65537, big-endian */
    put_anchor(t + 16 + 2 * FWV_TA_ENTRY_SIZE, FWV_KEY_RSA_2048, "rsa.crt", key, 260);
    uint32_t crc = fwv_crc32(t, total - 4);
    for (int i = 0; i < 4; i++) t[total - 4 + i] = (uint8_t)(crc >> (8 * i));
    memcpy(host_flash + HOST_ANCHORS, t, total);
}

void device_power_on(void)
{
    fwv_device_init();
    host_tx_clear();
}

int upload_image(const uint8_t *img, size_t n, unsigned seed, int with_sha)
{
    uint32_t rs = seed ? seed : 1;
    size_t off = 0;
    uint8_t sha[32];
    fwv_sha256_ctx h;
    fwv_sha256_init(&h);
    fwv_sha256_update(&h, img, n);
    fwv_sha256_final(&h, sha);
    for (int guard = 0; off < n && guard < 10000; guard++) {
        size_t k = 1 + test_rand(&rs) % 700;
        if (k > n - off) k = n - off;
        req_builder b;
        req_begin(&b, off == 0 ? (with_sha ? 5 : 4) : 3);
        cbor_put_tstr(&b.w, "image");
        cbor_put_uint(&b.w, 0);
        cbor_put_tstr(&b.w, "off");
        cbor_put_uint(&b.w, (uint32_t)off);
        cbor_put_tstr(&b.w, "data");
        cbor_put_bstr(&b.w, img + off, k);
        if (off == 0) {
            cbor_put_tstr(&b.w, "len");
            cbor_put_uint(&b.w, (uint32_t)n);
            if (with_sha) {
                cbor_put_tstr(&b.w, "sha");
                cbor_put_bstr(&b.w, sha, 32);
            }
        }
        smp_msg r;
        if (transact(FWV_SMP_OP_WRITE, FWV_SMP_GROUP_IMAGE, FWV_SMP_IMAGE_UPLOAD, &b, &r) != 0) return -1;
        long rc = rsp_err(&r, NULL), next = rsp_uint(&r, "off");
        if (rc != 0) return (int)rc;
        if (next < 0) return -1;
        off = (size_t)next;
    }
    return off == n ? 0 : -1;
}

long send_signature(const char *alg, const uint8_t *sig, size_t n, const char *certfile)
{
    req_builder b;
    req_begin(&b, 3);
    cbor_put_tstr(&b.w, "alg");
    cbor_put_tstr(&b.w, alg);
    cbor_put_tstr(&b.w, "sig");
    cbor_put_bstr(&b.w, sig, n);
    cbor_put_tstr(&b.w, "certfile");
    cbor_put_tstr(&b.w, certfile);
    smp_msg r;
    if (transact(FWV_SMP_OP_WRITE, FWV_SMP_GROUP_FWSIGN, FWV_SMP_FWSIGN_SIGNATURE, &b, &r) != 0) return -1;
    return rsp_uint(&r, "fwv");
}

static long fwsign_cmd(uint8_t id, long *fwv)
{
    req_builder b;
    req_begin(&b, 0);
    smp_msg r;
    if (transact(FWV_SMP_OP_WRITE, FWV_SMP_GROUP_FWSIGN, id, &b, &r) != 0) return -1;
    *fwv = rsp_uint(&r, "fwv");
    cbor_item text;
    if (rsp_get(&r, "text", &text) != 0 || text.major != CBOR_TSTR) return -1;
    return rsp_uint(&r, "rc");
}

long verify_staging(long *fwv) { return fwsign_cmd(FWV_SMP_FWSIGN_VERIFY, fwv); }
long mark_bootable(long *fwv) { return fwsign_cmd(FWV_SMP_FWSIGN_MARK_BOOTABLE, fwv); }

/* ---- fixtures and steps shared by the image tests ---- */

uint8_t img1[8192], img2[8192], imgx[8192], sig1[80], sig1_ec2[80], sig1_rsa[256], sig2[80], sigx[80];
size_t n1, n2, nx, s1, s1e2, s1r, s2, sx;

void load_images(void)
{
    n1 = load_fixture("image1.bin", img1, sizeof img1);
    n2 = load_fixture("image2.bin", img2, sizeof img2);
    s1 = load_fixture("image1.ec1.sig", sig1, sizeof sig1);
    s1e2 = load_fixture("image1.ec2.sig", sig1_ec2, sizeof sig1_ec2);
    s1r = load_fixture("image1.rsa.sig", sig1_rsa, sizeof sig1_rsa);
    s2 = load_fixture("image2.ec1.sig", sig2, sizeof sig2);
    nx = load_fixture("image-x.bin", imgx, sizeof imgx);
    sx = load_fixture("image-x.ec1.sig", sigx, sizeof sigx);
}

void fresh_board(void)
{
    host_port_init();
    provision_anchors();
    device_power_on();
}

long verify_with(const char *alg, const uint8_t *sig, size_t n, const char *cert)
{
    long fwv = -1;
    if (send_signature(alg, sig, n, cert) != 0) return -2;
    verify_staging(&fwv);
    return fwv;
}

smp_msg upload_raw(uint32_t off, const uint8_t *d, size_t k, long len, const uint8_t *sha)
{
    req_builder b;
    req_begin(&b, 2 + (len >= 0) + (sha != NULL));
    cbor_put_tstr(&b.w, "off");
    cbor_put_uint(&b.w, off);
    cbor_put_tstr(&b.w, "data");
    cbor_put_bstr(&b.w, d, k);
    if (len >= 0) {
        cbor_put_tstr(&b.w, "len");
        cbor_put_uint(&b.w, (uint32_t)len);
    }
    if (sha) {
        cbor_put_tstr(&b.w, "sha");
        cbor_put_bstr(&b.w, sha, 32);
    }
    smp_msg r;
    memset(&r, 0, sizeof r);
    if (transact(FWV_SMP_OP_WRITE, FWV_SMP_GROUP_IMAGE, FWV_SMP_IMAGE_UPLOAD, &b, &r) != 0) r.len = 0;
    return r;
}

/* Uploads, verifies and marks an image; returns the fwv of mark-bootable. */
long install(const uint8_t *img, size_t n, const uint8_t *sig, size_t sn)
{
    long fwv = -1;
    if (upload_image(img, n, 9, 1) != 0) return -2;
    if (verify_with("sig-sha256-ecdsa", sig, sn, "ec1.crt") != FWV_OK) return -3;
    mark_bootable(&fwv);
    return fwv;
}

fwv_result reboot(void)
{
    device_power_on();
    host_jumped_to = 0;
    return fwv_device_boot();
}

/* Image state write, as mcumgr's `image test <hash>` / `image confirm` send it. */
smp_msg state_write(const uint8_t *hash, int confirm)
{
    req_builder b;
    req_begin(&b, (hash != NULL) + (confirm >= 0));
    if (hash) {
        cbor_put_tstr(&b.w, "hash");
        cbor_put_bstr(&b.w, hash, 32);
    }
    if (confirm >= 0) {
        cbor_put_tstr(&b.w, "confirm");
        cbor_put_bool(&b.w, confirm);
    }
    smp_msg r;
    memset(&r, 0, sizeof r);
    if (transact(FWV_SMP_OP_WRITE, FWV_SMP_GROUP_IMAGE, FWV_SMP_IMAGE_STATE, &b, &r) != 0) r.len = 0;
    return r;
}

/* One flag of slot `slot` in an image state reply: 1, 0, or -1 when absent. */
int slot_flag(const smp_msg *m, uint32_t slot, const char *flag)
{
    cbor_reader r;
    cbor_item it, k, v;
    cbor_reader_init(&r, m->msg + 8, m->len - 8);
    if (cbor_read(&r, &it) != 0) return -1;
    for (uint32_t i = 0; i < it.arg; i++) {
        if (cbor_read(&r, &k) != 0 || cbor_read(&r, &v) != 0) return -1;
        if (!cbor_tstr_eq(&k, "images")) {
            cbor_skip_contents(&r, &v);
            continue;
        }
        for (uint32_t e = 0; e < v.arg; e++) {
            cbor_item mh;
            long this_slot = -1;
            int val = -1;
            if (cbor_read(&r, &mh) != 0) return -1;
            for (uint32_t j = 0; j < mh.arg; j++) {
                cbor_item k2, v2;
                if (cbor_read(&r, &k2) != 0 || cbor_read(&r, &v2) != 0) return -1;
                if (cbor_tstr_eq(&k2, "slot")) this_slot = (long)v2.arg;
                if (cbor_tstr_eq(&k2, flag)) val = cbor_item_is_true(&v2);
            }
            if (this_slot == (long)slot) return val;
        }
    }
    return -1;
}

void sha_of(const uint8_t *d, size_t n, uint8_t out[32])
{
    fwv_sha256_ctx h;
    fwv_sha256_init(&h);
    fwv_sha256_update(&h, d, n);
    fwv_sha256_final(&h, out);
}
