/* Host tests of the image group's stock commands through port/host: image state write (test,
 * confirm), erase, an image for another board refused at verify time, MCUboot-format images
 * carrying fwsign's TLVs (installed with upload/test/reset alone, version listed, downgrade
 * refused unless asked), and a power cut at every flash operation of the boot that installs a
 * tested image. */
#include <string.h>

#include "device_util.h"

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
    r = state_write(h1, 0); /* image test of the running image: refused, as Zephyr does */
    CHECK_EQ(rsp_err(&r, NULL), FWV_SMP_IMG_ERR_IMAGE_SETTING_TEST_TO_ACTIVE_DENIED);
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
    r = state_write(NULL, 1); /* the tested image confirms itself, or the next boot reverts it */
    CHECK_EQ(rsp_err(&r, NULL), 0);
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
    load_images();
    test_image_state_write();
    test_cross_board_image();
    test_mcuboot_images();
    test_power_loss_after_image_test();
    return t_report();
}
