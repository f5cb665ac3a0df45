/* Host tests of the image side through port/host: uploads in random chunkings and at wrong
 * offsets, verify (good, tampered, wrong anchor, truncated, oversize, RSA), mark bootable, the
 * boot decision, and a power cut at every flash operation of mark-bootable. */
#include <stdlib.h>
#include <string.h>

#include "device_util.h"
#include "fwv/anchors.h"

static void test_random_chunkings(void)
{
    for (unsigned seed = 1; seed <= 6; seed++) {
        fresh_board();
        CHECK_EQ(upload_image(img1, n1, seed * 7919, seed & 1), 0);
        CHECK(memcmp(host_flash + HOST_STAGING, img1, n1) == 0);
        CHECK_EQ(verify_with("sig-sha256-ecdsa", sig1, s1, "ec1.crt"), FWV_OK);
    }
}

static void test_wrong_offsets_and_resume(void)
{
    fresh_board();
    uint8_t sha[32];
    fwv_sha256_ctx h;
    fwv_sha256_init(&h);
    fwv_sha256_update(&h, img1, n1);
    fwv_sha256_final(&h, sha);
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
        fwv_sha256_init(&h);
        fwv_sha256_update(&h, img1, n1);
        fwv_sha256_final(&h, want);
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

int main(void)
{
    load_images();
    test_random_chunkings();
    test_wrong_offsets_and_resume();
    test_sha_mismatch();
    test_verify_verdicts();
    test_boot_decision();
    test_power_loss();
    return t_report();
}
