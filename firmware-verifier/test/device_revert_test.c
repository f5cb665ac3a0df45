/* Host tests of test, confirm and revert (device/install.c) through port/host: a tested image
 * boots once and the next boot returns to the previous one unless it was confirmed (over SMP, or
 * by the confirm byte an application programs); with no previous image the revert leaves none;
 * the way back cannot be overwritten while the image is on trial; and a power cut at every flash
 * operation of the test swap, of the revert and of the confirm leaves a verified image booting,
 * never an unconfirmed one twice. */
#include <string.h>

#include "device_util.h"

static uint8_t h1[32], h2[32];

/* Which fixture image the last boot started: 1, 2, or 0 when it started none. */
static int running(void)
{
    if (host_jumped_to != HOST_ACTIVE) return 0;
    if (memcmp(host_flash + HOST_ACTIVE, img2, n2) == 0) return 2;
    if (memcmp(host_flash + HOST_ACTIVE, img1, n1) == 0) return 1;
    return -1;
}

/* The boot's image, or -100 - the refusal when the boot did not start one. */
static int boot(void)
{
    fwv_result r = reboot();
    return r == FWV_OK ? running() : -100 - (int)r;
}

static smp_msg list(void)
{
    req_builder b;
    smp_msg r;
    req_begin(&b, 0);
    memset(&r, 0, sizeof r);
    if (transact(FWV_SMP_OP_READ, FWV_SMP_GROUP_IMAGE, FWV_SMP_IMAGE_STATE, &b, &r) != 0) r.len = 0;
    return r;
}

/* img1 installed for good, img2 uploaded with its signature and marked for test. */
static void tested_over_img1(void)
{
    fresh_board();
    CHECK_EQ(install(img1, n1, sig1, s1), FWV_OK);
    CHECK_EQ(upload_image(img2, n2, 3, 1), 0);
    CHECK_EQ(send_signature("sig-sha256-ecdsa", sig2, s2, "ec1.crt"), FWV_OK);
    smp_msg r = state_write(h2, 0);
    CHECK_EQ(rsp_err(&r, NULL), 0);
    CHECK_EQ(slot_flag(&r, 1, "pending"), 1);
}

/* image test, reset, reset: the tested image ran once, then the previous one is back for good. */
static void test_unconfirmed_reverts(void)
{
    tested_over_img1();
    CHECK_EQ(boot(), 2);
    smp_msg r = list(); /* as the verifier lists it when asked to stay on the trial boot */
    CHECK_EQ(slot_flag(&r, 0, "active"), 1);
    CHECK_EQ(slot_flag(&r, 0, "confirmed"), 0);
    CHECK_EQ(slot_flag(&r, 1, "confirmed"), 1); /* the image the next boot returns to */
    CHECK_EQ(slot_flag(&r, 1, "pending"), 0);
    /* the way back stays: no upload or erase over it while the image is on trial */
    smp_msg u = upload_raw(0, img1, 100, (long)n1, NULL);
    CHECK_EQ(rsp_err(&u, NULL), FWV_SMP_IMG_ERR_IMAGE_ALREADY_PENDING);
    req_builder b;
    req_begin(&b, 0);
    CHECK(transact(FWV_SMP_OP_WRITE, FWV_SMP_GROUP_IMAGE, FWV_SMP_IMAGE_ERASE, &b, &r) == 0);
    CHECK_EQ(rsp_err(&r, NULL), FWV_SMP_IMG_ERR_IMAGE_ALREADY_PENDING);
    CHECK_EQ(boot(), 1);
    r = list();
    CHECK_EQ(slot_flag(&r, 0, "confirmed"), 1);
    CHECK_EQ(slot_flag(&r, 1, "bootable"), -1); /* the rejected image is gone */
    CHECK_EQ(boot(), 1);
    /* and the slot takes uploads again */
    CHECK_EQ(upload_image(img2, n2, 4, 1), 0);
}

/* image test, reset, confirm (SMP, or the application's byte), reset: the new image stays. */
static void test_confirmed_stays(void)
{
    for (int by_app = 0; by_app < 2; by_app++) {
        tested_over_img1();
        CHECK_EQ(boot(), 2);
        if (by_app) {
            /* what an application's confirm hook does: one byte after the active record */
            host_flash[HOST_ACTIVE + HOST_SLOT_SIZE - HOST_SECTOR + FWV_CONFIRM_OFFSET] = 0;
        } else {
            smp_msg r = state_write(NULL, 1); /* mcumgr image confirm: the running image */
            CHECK_EQ(rsp_err(&r, NULL), 0);
            CHECK_EQ(slot_flag(&r, 0, "confirmed"), 1);
            CHECK_EQ(slot_flag(&r, 1, "confirmed"), 0); /* kept, but no longer the way back */
        }
        CHECK_EQ(boot(), 2);
        CHECK_EQ(boot(), 2);
        smp_msg r = list();
        CHECK_EQ(slot_flag(&r, 0, "confirmed"), 1);
        CHECK_EQ(slot_flag(&r, 1, "bootable"), 1); /* the previous image, as MCUboot keeps it */
        /* a new upload may replace it now */
        CHECK_EQ(upload_image(img1, n1, 5, 1), 0);
        CHECK_EQ(slot_flag(&r, 1, "pending"), 0);
    }
}

/* The first image ever installed by image test: nothing to return to, so none boots after. */
static void test_first_image_reverts_to_none(void)
{
    fresh_board();
    CHECK_EQ(upload_image(img1, n1, 6, 1), 0);
    CHECK_EQ(send_signature("sig-sha256-ecdsa", sig1, s1, "ec1.crt"), FWV_OK);
    smp_msg r = state_write(h1, 0);
    CHECK_EQ(rsp_err(&r, NULL), 0);
    CHECK_EQ(boot(), 1);
    CHECK_EQ(boot(), -100 - FWV_ERR_NO_IMAGE);
    r = list();
    CHECK_EQ(slot_flag(&r, 0, "active"), -1);
    CHECK_EQ(slot_flag(&r, 1, "bootable"), -1);
}

/* Restores `snap`, runs one boot with the power cut after k flash operations (k < 0: none),
 * and returns what it started (0 when cut). */
static int cut_boot(const uint8_t *snap, long k)
{
    memcpy(host_flash, snap, HOST_FLASH_SIZE);
    device_power_on();
    host_jumped_to = 0;
    host_power_cut_after(k);
    fwv_result r = fwv_device_boot();
    int cut = host_powered_off();
    host_power_restore();
    return cut ? 0 : r == FWV_OK ? running()
                                 : -100 - (int)r;
}

/* Flash operations one boot from `snap` takes. */
static long boot_ops(const uint8_t *snap)
{
    memcpy(host_flash, snap, HOST_FLASH_SIZE);
    unsigned long before = host_flash_ops;
    reboot();
    return (long)(host_flash_ops - before);
}

/* A cut at every flash operation of: the boot that swaps in the tested image, the boot that
 * reverts it, and the confirm. After each, the boots that follow start a verified image every
 * time, and the unconfirmed image never runs in two boots. */
static void test_power_cuts(void)
{
    static uint8_t tested[HOST_FLASH_SIZE], trial[HOST_FLASH_SIZE];
    tested_over_img1();
    memcpy(tested, host_flash, sizeof tested);
    long swap_ops = boot_ops(tested);
    CHECK(swap_ops > 20);
    CHECK_EQ(running(), 2);
    memcpy(trial, host_flash, sizeof trial);
    long revert_ops = boot_ops(trial);
    CHECK(revert_ops > 5);
    CHECK_EQ(running(), 1);

    int bad = 0, reached_new = 0;
    for (long k = 0; k <= swap_ops; k++) {
        int runs_of_2 = 0, b[3];
        b[0] = cut_boot(tested, k);
        b[1] = boot();
        b[2] = boot();
        for (int i = 0; i < 3; i++) runs_of_2 += b[i] == 2;
        /* every boot after the cut starts v1 or v2; v2 at most once; the last one is v1 */
        if (b[1] < 1 || b[2] != 1 || runs_of_2 > 1) {
            bad++;
            fprintf(stderr, "cut after %ld ops of the swap: booted %d, %d, %d\n", k, b[0], b[1], b[2]);
        }
        reached_new += runs_of_2;
    }
    CHECK_EQ(bad, 0);
    CHECK_EQ(reached_new, swap_ops + 1); /* the cut never robs the tested image of its boot */

    for (long k = 0; k <= revert_ops; k++) {
        int b0 = cut_boot(trial, k), b1 = boot(), b2 = boot();
        if ((b0 != 0 && b0 != 1) || b1 != 1 || b2 != 1) {
            bad++;
            fprintf(stderr, "cut after %ld ops of the revert: booted %d, %d, %d\n", k, b0, b1, b2);
        }
    }
    CHECK_EQ(bad, 0);

    /* confirm is one byte: cut before it lands (the trial ends) or after (v2 stays) */
    for (long k = 0; k <= 1; k++) {
        memcpy(host_flash, trial, sizeof trial);
        device_power_on();
        host_power_cut_after(k);
        smp_msg r = state_write(NULL, 1);
        host_power_restore();
        int want = k == 0 ? 1 : 2;
        CHECK_EQ(rsp_err(&r, NULL), k == 0 ? FWV_SMP_IMG_ERR_FLASH_WRITE_FAILED : 0);
        CHECK_EQ(boot(), want);
        CHECK_EQ(boot(), want);
    }
}

int main(void)
{
    load_images();
    sha_of(img1, n1, h1);
    sha_of(img2, n2, h2);
    test_unconfirmed_reverts();
    test_confirmed_stays();
    test_first_image_reverts_to_none();
    test_power_cuts();
    return t_report();
}
