/* Host tests of the image side through port/host: uploads in random chunkings and at wrong
 * offsets, verify (good, tampered, wrong anchor, truncated, oversize, RSA), mark bootable, the
 * boot decision, and a power cut at every flash operation of mark-bootable. */
#include <stdlib.h>
#include <string.h>

#include "device_util.h"
#include "fwv/anchors.h"

static uint8_t img1[8192], img2[8192], imgx[8192], sig1[80], sig1_ec2[80], sig1_rsa[256], sig2[80],
    sigx[80];
static size_t n1, n2, nx, s1, s1e2, s1r, s2, sx;

static void load_all(void)
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

static void fresh_board(void)
{
    host_port_init();
    provision_anchors();
    device_power_on();
}

static long verify_with(const char *alg, const uint8_t *sig, size_t n, const char *cert)
{
    long fwv = -1;
    if (send_signature(alg, sig, n, cert) != 0) return -2;
    verify_staging(&fwv);
    return fwv;
}

static void test_random_chunkings(void)
{
    for (unsigned seed = 1; seed <= 6; seed++) {
        fresh_board();
        CHECK_EQ(upload_image(img1, n1, seed * 7919, seed & 1), 0);
        CHECK(memcmp(host_flash + HOST_STAGING, img1, n1) == 0);
        CHECK_EQ(verify_with("sig-sha256-ecdsa", sig1, s1, "ec1.crt"), FWV_OK);
    }
}

static smp_msg upload_raw(uint32_t off, const uint8_t *d, size_t k, long len, const uint8_t *sha)
{
    req_builder b;
    req_begin(&b, 2 + (len >= 0) + (sha != NULL));
    cbor_put_tstr(&b.w, "off"); cbor_put_uint(&b.w, off);
    cbor_put_tstr(&b.w, "data"); cbor_put_bstr(&b.w, d, k);
    if (len >= 0) { cbor_put_tstr(&b.w, "len"); cbor_put_uint(&b.w, (uint32_t)len); }
    if (sha) { cbor_put_tstr(&b.w, "sha"); cbor_put_bstr(&b.w, sha, 32); }
    smp_msg r;
    memset(&r, 0, sizeof r);
    if (transact(FWV_SMP_OP_WRITE, FWV_SMP_GROUP_IMAGE, FWV_SMP_IMAGE_UPLOAD, &b, &r) != 0) r.len = 0;
    return r;
}

static void test_wrong_offsets_and_resume(void)
{
    fresh_board();
    uint8_t sha[32];
    fwv_sha256_ctx h;
    fwv_sha256_init(&h); fwv_sha256_update(&h, img1, n1); fwv_sha256_final(&h, sha);
    smp_msg r = upload_raw(0, img1, 100, (long)n1, sha);
    CHECK_EQ(rsp_uint(&r, "rc"), -1); /* success in the image group carries no rc (Zephyr) */
    CHECK_EQ(rsp_uint(&r, "off"), 100);
    r = upload_raw(500, img1 + 500, 100, -1, NULL); /* ahead: told where to go on */
    CHECK_EQ(rsp_err(&r, NULL), 0);
    CHECK_EQ(rsp_uint(&r, "off"), 100);
    r = upload_raw(0, img1, 100, -1, NULL);          /* repeated chunk (lost reply) */
    CHECK_EQ(rsp_uint(&r, "off"), 100);
    r = upload_raw(100, img1 + 100, 900, -1, NULL);
    CHECK_EQ(rsp_uint(&r, "off"), 1000);
    /* the host restarts the same image (same len and sha): the device resumes, not restarts */
    r = upload_raw(0, img1, 100, (long)n1, sha);
    CHECK_EQ(rsp_uint(&r, "off"), 1000);
    r = upload_raw(1000, img1 + 1000, 10, (long)n1 + 1, NULL); /* len only counts at off 0 */
    CHECK_EQ(rsp_uint(&r, "off"), 1010);
    /* chunk longer than what is left */
    static uint8_t big[600];
    CHECK_EQ(upload_image(img1, n1, 3, 1), 0); /* a fresh upload from 0 completes */
    r = upload_raw((uint32_t)n1, big, 10, -1, NULL);
    CHECK_EQ(rsp_uint(&r, "off"), (long)n1);
    fresh_board();
    long group;
    r = upload_raw(0, img1, 100, 50, NULL); /* more data than the stated length */
    CHECK_EQ(rsp_err(&r, &group), FWV_SMP_IMG_ERR_INVALID_IMAGE_DATA_OVERRUN);
    CHECK_EQ(group, FWV_SMP_GROUP_IMAGE);
    CHECK_EQ(rsp_uint(&r, "off"), -1); /* the error alone, as Zephyr sends it */
    smp_version = 0;                    /* SMP version 1: the translated code in rc */
    r = upload_raw(0, img1, 100, 50, NULL);
    CHECK_EQ(rsp_uint(&r, "rc"), FWV_SMP_ERR_EUNKNOWN);
    CHECK_EQ(r.msg[0] >> 3, 0); /* answered in the request's version */
    cbor_item rsn;
    CHECK(rsp_get(&r, "rsn", &rsn) == 0 && rsn.major == CBOR_TSTR);
    CHECK(rsp_get(&r, "fwv", &rsn) != 0); /* fwsign's codes stay in fwsign's group */
    smp_version = 1;
}

static void test_sha_mismatch(void)
{
    fresh_board();
    uint8_t wrong[32];
    memset(wrong, 0xAB, sizeof wrong);
    smp_msg r = upload_raw(0, img1, 600, (long)n1, wrong);
    CHECK_EQ(rsp_uint(&r, "off"), 600);
    size_t off = 600;
    while (off < n1) {
        size_t k = n1 - off < 700 ? n1 - off : 700;
        r = upload_raw((uint32_t)off, img1 + off, k, -1, NULL);
        off += k;
    }
    /* Zephyr answers a completed upload whose hash differs from `sha` with match: false */
    cbor_item match;
    CHECK_EQ(rsp_err(&r, NULL), 0);
    CHECK(rsp_get(&r, "match", &match) == 0 && cbor_item_is_false(&match));
    CHECK_EQ(verify_with("sig-sha256-ecdsa", sig1, s1, "ec1.crt"), FWV_ERR_HASH_MISMATCH);
}

static void test_verify_verdicts(void)
{
    fresh_board();
    long fwv = -1;
    CHECK_EQ(verify_staging(&fwv), FWV_SMP_ERR_EBADSTATE);
    CHECK_EQ(fwv, FWV_ERR_NO_IMAGE);
    /* truncated: the upload stops after two chunks */
    smp_msg r = upload_raw(0, img1, 700, (long)n1, NULL);
    r = upload_raw(700, img1 + 700, 700, -1, NULL);
    CHECK_EQ(rsp_uint(&r, "off"), 1400);
    CHECK_EQ(verify_with("sig-sha256-ecdsa", sig1, s1, "ec1.crt"), FWV_ERR_NO_IMAGE);
    CHECK_EQ(mark_bootable(&fwv), FWV_SMP_ERR_EBADSTATE);
    CHECK_EQ(fwv, FWV_ERR_NOT_VERIFIED);
    /* oversize */
    r = upload_raw(0, img1, 10, (long)fwv_slot_capacity() + 1, NULL);
    CHECK_EQ(rsp_err(&r, NULL), FWV_SMP_IMG_ERR_INVALID_IMAGE_TOO_LARGE);
    /* good image, then each wrong signature setting */
    CHECK_EQ(upload_image(img1, n1, 11, 1), 0);
    CHECK_EQ(verify_staging(&fwv), FWV_SMP_ERR_EBADSTATE);
    CHECK_EQ(fwv, FWV_ERR_NO_SIGNATURE);
    CHECK_EQ(verify_with("sig-sha256-ecdsa", sig1_ec2, s1e2, "ec1.crt"), FWV_ERR_SIGNATURE);
    CHECK_EQ(verify_with("sig-sha256-ecdsa", sig1, s1, "nope.crt"), FWV_ERR_UNKNOWN_ANCHOR);
    CHECK_EQ(verify_with("sig-sha256-ecdsa", sig1_ec2, s1e2, "ec2.crt"), FWV_OK);
    CHECK_EQ(verify_with("sig-sha1-rsa", sig1_rsa, s1r, "rsa.crt"), FWV_OK);
    CHECK_EQ(verify_with("sig-sha1-rsa", sig1_rsa, s1r, "ec1.crt"), FWV_ERR_ALG_MISMATCH);
    CHECK_EQ(send_signature("sig-md5-rsa", sig1, s1, "ec1.crt"), FWV_ERR_UNKNOWN_ALG);
    /* tampered: one bit of the image flipped in flight */
    uint8_t bad[sizeof img1];
    memcpy(bad, img1, n1);
    bad[n1 / 3] ^= 0x10;
    CHECK_EQ(upload_image(bad, n1, 5, 0), 0);
    CHECK_EQ(verify_with("sig-sha256-ecdsa", sig1, s1, "ec1.crt"), FWV_ERR_SIGNATURE);
    CHECK_EQ(mark_bootable(&fwv), FWV_SMP_ERR_EBADSTATE);
    CHECK_EQ(fwv, FWV_ERR_NOT_VERIFIED);
    /* a verdict does not outlive a new upload */
    CHECK_EQ(upload_image(img1, n1, 5, 0), 0);
    CHECK_EQ(verify_with("sig-sha256-ecdsa", sig1, s1, "ec1.crt"), FWV_OK);
    smp_msg r2 = upload_raw(0, img2, 10, (long)n2, NULL);
    CHECK_EQ(rsp_err(&r2, NULL), 0);
    CHECK_EQ(mark_bootable(&fwv), FWV_SMP_ERR_EBADSTATE);
    CHECK_EQ(fwv, FWV_ERR_NOT_VERIFIED);
}

/* Uploads, verifies and marks an image; returns the fwv of mark-bootable. */
static long install(const uint8_t *img, size_t n, const uint8_t *sig, size_t sn)
{
    long fwv = -1;
    if (upload_image(img, n, 9, 1) != 0) return -2;
    if (verify_with("sig-sha256-ecdsa", sig, sn, "ec1.crt") != FWV_OK) return -3;
    mark_bootable(&fwv);
    return fwv;
}

static fwv_result reboot(void)
{
    device_power_on();
    host_jumped_to = 0;
    return fwv_device_boot();
}

static void test_boot_decision(void)
{
    fresh_board();
    CHECK_EQ(reboot(), FWV_ERR_NO_IMAGE);
    CHECK_EQ(host_jumped_to, 0);
    CHECK_EQ(install(img1, n1, sig1, s1), FWV_OK);
    CHECK(memcmp(host_flash + HOST_ACTIVE, img1, n1) == 0);
    CHECK_EQ(reboot(), FWV_OK);
    CHECK_EQ(host_jumped_to, HOST_ACTIVE);
    /* image state lists the active slot with the image's hash */
    smp_msg r;
    req_builder b;
    req_begin(&b, 0);
    CHECK(transact(FWV_SMP_OP_READ, FWV_SMP_GROUP_IMAGE, FWV_SMP_IMAGE_STATE, &b, &r) == 0);
    cbor_item images;
    CHECK(rsp_get(&r, "images", &images) == 0 && images.major == CBOR_ARRAY && images.arg == 1);
    {
        uint8_t want[32];
        fwv_sha256_ctx h;
        fwv_sha256_init(&h); fwv_sha256_update(&h, img1, n1); fwv_sha256_final(&h, want);
        /* the image's hash appears in the listing as a 32-byte bstr */
        const uint8_t *p = r.msg + 8;
        size_t found = 0;
        for (size_t i = 0; i + 34 <= r.len - 8; i++)
            if (p[i] == 0x58 && p[i + 1] == 32 && memcmp(p + i + 2, want, 32) == 0) found++;
        CHECK_EQ(found, 1);
    }
    CHECK(transact(FWV_SMP_OP_READ, FWV_SMP_GROUP_FWSIGN, FWV_SMP_FWSIGN_STATUS, &b, &r) == 0);
    CHECK_EQ(rsp_uint(&r, "slot_size"), HOST_SLOT_SIZE - HOST_SECTOR);
    /* asked to stay: no jump even though the image verifies */
    port_boot_request_set(FWV_BOOT_STAY);
    device_power_on();
    host_jumped_to = 0;
    CHECK_EQ(fwv_device_boot(), FWV_ERR_STATE);
    CHECK_EQ(host_jumped_to, 0);
    /* a tampered active slot is never entered */
    host_flash[HOST_ACTIVE + 77] ^= 1;
    CHECK_EQ(reboot(), FWV_ERR_SIGNATURE);
    CHECK_EQ(host_jumped_to, 0);
    host_flash[HOST_ACTIVE + 77] ^= 1;
    CHECK_EQ(reboot(), FWV_OK);
    /* no trust anchors provisioned: nothing boots */
    uint8_t keep = host_flash[HOST_ANCHORS];
    host_flash[HOST_ANCHORS] ^= 0xFF;
    CHECK_EQ(reboot(), FWV_ERR_ANCHOR_TABLE);
    CHECK_EQ(host_jumped_to, 0);
    host_flash[HOST_ANCHORS] = keep;
    /* the anchor the trailer names is gone, or now holds another key: nothing boots */
    {
        static uint8_t keep_table[HOST_ANCHORS_SIZE];
        memcpy(keep_table, host_flash + HOST_ANCHORS, sizeof keep_table);
        uint8_t *t = host_flash + HOST_ANCHORS;
        uint32_t total = FWV_TA_HEADER_SIZE + 3 * FWV_TA_ENTRY_SIZE + 4;
        t[FWV_TA_HEADER_SIZE + FWV_TA_ENTRY_NAME_OFFSET + 2] = '9'; /* "ec1.crt" -> "ec9.crt" */
        uint32_t crc = fwv_crc32(t, total - 4);
        for (int i = 0; i < 4; i++) t[total - 4 + i] = (uint8_t)(crc >> (8 * i));
        CHECK_EQ(reboot(), FWV_ERR_UNKNOWN_ANCHOR);
        CHECK_EQ(host_jumped_to, 0);
        memcpy(t, keep_table, sizeof keep_table);
        memcpy(t + FWV_TA_HEADER_SIZE + FWV_TA_ENTRY_KEY_OFFSET,
               t + FWV_TA_HEADER_SIZE + FWV_TA_ENTRY_SIZE + FWV_TA_ENTRY_KEY_OFFSET, 65); /* ec2's key */
        crc = fwv_crc32(t, total - 4);
        for (int i = 0; i < 4; i++) t[total - 4 + i] = (uint8_t)(crc >> (8 * i));
        CHECK_EQ(reboot(), FWV_ERR_SIGNATURE);
        CHECK_EQ(host_jumped_to, 0);
        memcpy(t, keep_table, sizeof keep_table);
        CHECK_EQ(reboot(), FWV_OK);
    }
    /* a trailer with a bad checksum is no image */
    host_flash[HOST_ACTIVE + fwv_slot_capacity() + 20] ^= 1;
    CHECK_EQ(reboot(), FWV_ERR_NO_IMAGE);
    CHECK_EQ(host_jumped_to, 0);
}

/* Cut the power at every flash operation of mark-bootable (and again during the recovery the
 * next boot runs): the board must always boot a verified image, the old one or the new one. */
static void test_power_loss(void)
{
    static uint8_t snap[HOST_FLASH_SIZE];
    fresh_board();
    CHECK_EQ(install(img1, n1, sig1, s1), FWV_OK);
    CHECK_EQ(upload_image(img2, n2, 4, 1), 0);
    CHECK_EQ(verify_with("sig-sha256-ecdsa", sig2, s2, "ec1.crt"), FWV_OK);
    memcpy(snap, host_flash, sizeof snap);
    fwv_staging stage = fwv_stage;
    unsigned long ops0 = host_flash_ops;
    CHECK_EQ(fwv_mark_bootable(0), FWV_OK);
    long total = (long)(host_flash_ops - ops0);
    CHECK(total > 10);
    int saw_old = 0, saw_new = 0, bad = 0;
    for (long k = 0; k <= total; k++) {
        for (int nested = 0; nested < 2; nested++) {
            memcpy(host_flash, snap, sizeof snap);
            fwv_stage = stage;
            host_power_cut_after(k);
            fwv_result m = fwv_mark_bootable(0);
            if ((k < total) != (m == FWV_ERR_FLASH)) bad++;
            host_power_restore();
            if (nested) { /* the recovery itself loses power part-way */
                device_power_on();
                host_power_cut_after(k % 9);
                fwv_device_boot();
                host_power_restore();
            }
            fwv_result r = reboot();
            int is_new = memcmp(host_flash + HOST_ACTIVE, img2, n2) == 0;
            int is_old = memcmp(host_flash + HOST_ACTIVE, img1, n1) == 0;
            if (r != FWV_OK || host_jumped_to != HOST_ACTIVE || !(is_new || is_old)) {
                bad++;
                fprintf(stderr, "power cut after %ld ops (nested %d): boot %d, new %d old %d\n", k,
                        nested, r, is_new, is_old);
            }
            saw_new += is_new;
            saw_old += is_old && !is_new;
        }
    }
    CHECK_EQ(bad, 0);
    CHECK(saw_old > 0); /* cuts before the journal keep the old image */
    CHECK(saw_new > 0); /* cuts after it finish the new one */
}

/* Image state write, as mcumgr's `image test <hash>` / `image confirm` send it. */
static smp_msg state_write(const uint8_t *hash, int confirm)
{
    req_builder b;
    req_begin(&b, (hash != NULL) + (confirm >= 0));
    if (hash) { cbor_put_tstr(&b.w, "hash"); cbor_put_bstr(&b.w, hash, 32); }
    if (confirm >= 0) { cbor_put_tstr(&b.w, "confirm"); cbor_put_bool(&b.w, confirm); }
    smp_msg r;
    memset(&r, 0, sizeof r);
    if (transact(FWV_SMP_OP_WRITE, FWV_SMP_GROUP_IMAGE, FWV_SMP_IMAGE_STATE, &b, &r) != 0) r.len = 0;
    return r;
}

/* One flag of slot `slot` in an image state reply: 1, 0, or -1 when absent. */
static int slot_flag(const smp_msg *m, uint32_t slot, const char *flag)
{
    cbor_reader r;
    cbor_item it, k, v;
    cbor_reader_init(&r, m->msg + 8, m->len - 8);
    if (cbor_read(&r, &it) != 0) return -1;
    for (uint32_t i = 0; i < it.arg; i++) {
        if (cbor_read(&r, &k) != 0 || cbor_read(&r, &v) != 0) return -1;
        if (!cbor_tstr_eq(&k, "images")) { cbor_skip_contents(&r, &v); continue; }
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

static void sha_of(const uint8_t *d, size_t n, uint8_t out[32])
{
    fwv_sha256_ctx h;
    fwv_sha256_init(&h); fwv_sha256_update(&h, d, n); fwv_sha256_final(&h, out);
}

/* Stock mcumgr flow over the image group: upload, test (verifies, journals), reset installs;
 * confirm; erase; and the refusals. */
static void test_image_state_write(void)
{
    uint8_t h1[32], h2[32];
    sha_of(img1, n1, h1);
    sha_of(img2, n2, h2);
    fresh_board();
    CHECK_EQ(upload_image(img1, n1, 2, 1), 0);
    smp_msg r = state_write(h1, 0); /* no signature handed over: refused, nothing journalled */
    CHECK_EQ(rsp_err(&r, NULL), FWV_SMP_IMG_ERR_UNKNOWN);
    CHECK_EQ(send_signature("sig-sha256-ecdsa", sig1, s1, "ec1.crt"), FWV_OK);
    r = state_write(h2, 0); /* a hash no slot holds */
    CHECK_EQ(rsp_err(&r, NULL), FWV_SMP_IMG_ERR_NO_IMAGE);
    r = state_write(h1, 0);
    CHECK_EQ(rsp_err(&r, NULL), 0);
    CHECK_EQ(slot_flag(&r, 1, "pending"), 1);
    CHECK_EQ(slot_flag(&r, 1, "permanent"), 0);
    CHECK_EQ(reboot(), FWV_OK); /* the reset installs it */
    CHECK_EQ(host_jumped_to, HOST_ACTIVE);
    CHECK(memcmp(host_flash + HOST_ACTIVE, img1, n1) == 0);
    req_builder b;
    req_begin(&b, 0);
    CHECK(transact(FWV_SMP_OP_READ, FWV_SMP_GROUP_IMAGE, FWV_SMP_IMAGE_STATE, &b, &r) == 0);
    CHECK_EQ(slot_flag(&r, 0, "active"), 1);
    CHECK_EQ(slot_flag(&r, 0, "confirmed"), 0);
    CHECK_EQ(slot_flag(&r, 1, "pending"), -1);
    req_begin(&b, 2); /* confirm the running image, as mcumgr's `image confirm` asks: hash null */
    cbor_put_tstr(&b.w, "hash"); cbor_put_head(&b.w, CBOR_SIMPLE, 22);
    cbor_put_tstr(&b.w, "confirm"); cbor_put_bool(&b.w, 1);
    CHECK(transact(FWV_SMP_OP_WRITE, FWV_SMP_GROUP_IMAGE, FWV_SMP_IMAGE_STATE, &b, &r) == 0);
    CHECK_EQ(rsp_err(&r, NULL), 0);
    CHECK_EQ(slot_flag(&r, 0, "confirmed"), 1);
    /* a new upload cancels a journalled install */
    CHECK_EQ(upload_image(img2, n2, 3, 1), 0);
    CHECK_EQ(send_signature("sig-sha256-ecdsa", sig2, s2, "ec1.crt"), FWV_OK);
    r = state_write(h2, 1);
    CHECK_EQ(slot_flag(&r, 1, "permanent"), 1);
    smp_msg u = upload_raw(0, img1, 100, (long)n1, NULL);
    CHECK_EQ(rsp_err(&u, NULL), 0);
    CHECK_EQ(reboot(), FWV_OK);
    CHECK(memcmp(host_flash + HOST_ACTIVE, img1, n1) == 0);
    /* erase forgets the staging slot */
    CHECK_EQ(upload_image(img2, n2, 3, 1), 0);
    req_begin(&b, 0);
    CHECK(transact(FWV_SMP_OP_WRITE, FWV_SMP_GROUP_IMAGE, FWV_SMP_IMAGE_ERASE, &b, &r) == 0);
    CHECK_EQ(rsp_err(&r, NULL), 0);
    CHECK_EQ(r.len, 9); /* {} */
    CHECK_EQ(host_flash[HOST_STAGING], 0xFF);
    CHECK_EQ(slot_flag(&r, 1, "bootable"), -1);
    req_begin(&b, 1);
    cbor_put_tstr(&b.w, "slot"); cbor_put_uint(&b.w, 0);
    CHECK(transact(FWV_SMP_OP_WRITE, FWV_SMP_GROUP_IMAGE, FWV_SMP_IMAGE_ERASE, &b, &r) == 0);
    CHECK_EQ(rsp_err(&r, NULL), FWV_SMP_IMG_ERR_INVALID_SLOT);
}

/* An image validly signed for another board: refused at verify time (before the running image
 * is touched), by image test too, and never booted. */
static void test_cross_board_image(void)
{
    fresh_board();
    CHECK_EQ(install(img1, n1, sig1, s1), FWV_OK);
    CHECK_EQ(upload_image(imgx, nx, 5, 1), 0);
    CHECK_EQ(verify_with("sig-sha256-ecdsa", sigx, sx, "ec1.crt"), FWV_ERR_VECTOR_TABLE);
    long fwv = -1;
    CHECK_EQ(mark_bootable(&fwv), FWV_SMP_ERR_EBADSTATE);
    CHECK_EQ(fwv, FWV_ERR_NOT_VERIFIED);
    uint8_t hx[32];
    sha_of(imgx, nx, hx);
    smp_msg r = state_write(hx, 0);
    CHECK_EQ(rsp_err(&r, NULL), FWV_SMP_IMG_ERR_INVALID_IMAGE_VECTOR_TABLE);
    CHECK(memcmp(host_flash + HOST_ACTIVE, img1, n1) == 0);
    CHECK_EQ(reboot(), FWV_OK);
    CHECK_EQ(host_jumped_to, HOST_ACTIVE);
}

/* The SHA-256 TLV of an MCUboot image: the last TLV's value is 32 bytes before the fwsign ones;
 * recomputed here from header + payload as the device must. */
static void mcuboot_hash(const uint8_t *img, uint8_t out[32])
{
    uint32_t hdr = (uint32_t)(img[8] | img[9] << 8);
    uint32_t size = (uint32_t)(img[12] | img[13] << 8 | img[14] << 16 | (uint32_t)img[15] << 24);
    sha_of(img, hdr + size, out);
}

/* MCUboot-format images carrying the signature in fwsign's TLVs: the stock commands alone
 * (upload, test, reset) install the payload; the version is listed and guarded. */
static void test_mcuboot_images(void)
{
    static uint8_t p1[9000], p2[9000], p3[9000];
    size_t n1p = load_fixture("image1-v1.2.3.4.mcuboot", p1, sizeof p1);
    size_t n2p = load_fixture("image2-v0.9.0.mcuboot", p2, sizeof p2);
    size_t n3p = load_fixture("image2-v2.0.0.mcuboot", p3, sizeof p3);
    uint8_t h[32];
    fresh_board();
    CHECK_EQ(upload_image(p1, n1p, 7, 1), 0);
    mcuboot_hash(p1, h);
    smp_msg r = state_write(h, 0);
    CHECK_EQ(rsp_err(&r, NULL), 0);
    CHECK_EQ(slot_flag(&r, 1, "pending"), 1);
    int listed = 0;
    for (size_t i = 0; i + 7 <= r.len; i++) listed |= memcmp(r.msg + i, "1.2.3.4", 7) == 0;
    CHECK(listed);
    CHECK_EQ(reboot(), FWV_OK);
    CHECK(memcmp(host_flash + HOST_ACTIVE, img1, n1) == 0); /* the payload, without its header */
    /* older version: image test refuses it; fwsign's mark bootable does it when asked to */
    CHECK_EQ(upload_image(p2, n2p, 8, 1), 0);
    mcuboot_hash(p2, h);
    r = state_write(h, 0);
    long group;
    CHECK_EQ(rsp_err(&r, &group), FWV_SMP_IMG_ERR_CURRENT_VERSION_IS_NEWER);
    long fwv = -1;
    CHECK_EQ(verify_staging(&fwv), 0);
    CHECK_EQ(mark_bootable(&fwv), FWV_SMP_ERR_EBADSTATE);
    CHECK_EQ(fwv, FWV_ERR_DOWNGRADE);
    CHECK(memcmp(host_flash + HOST_ACTIVE, img1, n1) == 0);
    req_builder b;
    req_begin(&b, 1);
    cbor_put_tstr(&b.w, "allow_downgrade"); cbor_put_bool(&b.w, 1);
    CHECK(transact(FWV_SMP_OP_WRITE, FWV_SMP_GROUP_FWSIGN, FWV_SMP_FWSIGN_MARK_BOOTABLE, &b, &r) == 0);
    CHECK_EQ(rsp_uint(&r, "fwv"), FWV_OK);
    CHECK(memcmp(host_flash + HOST_ACTIVE, img2, n2) == 0);
    /* a newer one goes in with the stock commands */
    CHECK_EQ(upload_image(p3, n3p, 9, 1), 0);
    mcuboot_hash(p3, h);
    r = state_write(h, 1);
    CHECK_EQ(rsp_err(&r, NULL), 0);
    CHECK_EQ(slot_flag(&r, 1, "permanent"), 1);
    CHECK_EQ(reboot(), FWV_OK);
    /* a payload byte changed: the SHA-256 TLV no longer matches, nothing is journalled */
    p3[40] ^= 1;
    CHECK_EQ(upload_image(p3, n3p, 10, 1), 0);
    uint8_t whole[32];
    sha_of(p3, n3p, whole); /* listed by the hash of what arrived; image test refuses it */
    r = state_write(whole, 0);
    CHECK_EQ(rsp_err(&r, NULL), FWV_SMP_IMG_ERR_INVALID_HASH);
    CHECK_EQ(verify_staging(&fwv), FWV_SMP_ERR_ECORRUPT);
    CHECK_EQ(fwv, FWV_ERR_HASH_MISMATCH);
    /* a TLV length running past the area: malformed */
    p3[40] ^= 1;
    {
        uint32_t size = (uint32_t)(p3[12] | p3[13] << 8 | p3[14] << 16);
        p3[32 + size + 2] = 0xFF; /* the TLV info's total length, low byte */
    }
    CHECK_EQ(upload_image(p3, n3p, 11, 1), 0);
    CHECK_EQ(verify_staging(&fwv), FWV_SMP_ERR_EINVAL);
    CHECK_EQ(fwv, FWV_ERR_BAD_IMAGE);
}

/* image test journals the install; the boot carries it out: cut the power at every flash
 * operation of that boot (and of the boot after it) and the board still boots old or new. */
static void test_power_loss_after_image_test(void)
{
    static uint8_t snap[HOST_FLASH_SIZE];
    uint8_t h2[32];
    sha_of(img2, n2, h2);
    fresh_board();
    CHECK_EQ(install(img1, n1, sig1, s1), FWV_OK);
    CHECK_EQ(upload_image(img2, n2, 4, 1), 0);
    CHECK_EQ(send_signature("sig-sha256-ecdsa", sig2, s2, "ec1.crt"), FWV_OK);
    smp_msg r = state_write(h2, 0);
    CHECK_EQ(slot_flag(&r, 1, "pending"), 1);
    memcpy(snap, host_flash, sizeof snap);
    unsigned long ops0 = host_flash_ops;
    CHECK_EQ(reboot(), FWV_OK);
    long total = (long)(host_flash_ops - ops0);
    CHECK(total > 5);
    int bad = 0, saw_old = 0, saw_new = 0;
    for (long k = 0; k <= total; k++) {
        memcpy(host_flash, snap, sizeof snap);
        device_power_on();
        host_power_cut_after(k);
        fwv_device_boot();
        host_power_restore();
        fwv_result b = reboot();
        int is_new = memcmp(host_flash + HOST_ACTIVE, img2, n2) == 0;
        int is_old = memcmp(host_flash + HOST_ACTIVE, img1, n1) == 0;
        if (b != FWV_OK || host_jumped_to != HOST_ACTIVE || !(is_new || is_old)) {
            bad++;
            fprintf(stderr, "power cut after %ld ops of the install boot: boot %d\n", k, b);
        }
        saw_new += is_new;
        saw_old += is_old && !is_new;
    }
    CHECK_EQ(bad, 0);
    CHECK(saw_new > 0);
}

int main(void)
{
    load_all();
    test_random_chunkings();
    test_wrong_offsets_and_resume();
    test_sha_mismatch();
    test_verify_verdicts();
    test_boot_decision();
    test_power_loss();
    test_image_state_write();
    test_cross_board_image();
    test_mcuboot_images();
    test_power_loss_after_image_test();
    return t_report();
}
