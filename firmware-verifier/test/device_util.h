/* Shared helpers for the device host tests: a tiny SMP client that frames requests exactly as a
 * host would, feeds them to the device through port/host, and decodes what the device wrote. */
#ifndef FWV_TEST_DEVICE_UTIL_H
#define FWV_TEST_DEVICE_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../device/cbor.h"
#include "../device/device.h"
#include "../device/frame.h"
#include "../device/slots.h"
#include "../device/smp.h"
#include "../port/host/port_host.h"

extern int t_pass, t_fail;
#define CHECK(cond) \
    do { \
        if (cond) t_pass++; \
        else { \
            t_fail++; \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
        } \
    } while (0)
#define CHECK_EQ(a, b) \
    do { \
        long long _a = (long long)(a), _b = (long long)(b); \
        if (_a == _b) t_pass++; \
        else { \
            t_fail++; \
            fprintf(stderr, "%s:%d: %s == %lld, expected %s == %lld\n", __FILE__, __LINE__, \
                    #a, _a, #b, _b); \
        } \
    } while (0)
int t_report(void);

typedef struct {
    uint8_t msg[FWV_BUF_SIZE + 8]; /* header + CBOR */
    size_t len;
} smp_msg;

/* Request payload being built. */
typedef struct {
    uint8_t buf[FWV_BUF_SIZE];
    cbor_writer w;
} req_builder;
void req_begin(req_builder *b, uint32_t pairs);

/* SMP version bits frame_request sends: 1 (SMP version 2, the default) or 0 (version 1). */
extern int smp_version;

/* Frames an SMP request (header + payload) into console lines appended to *stream. */
size_t frame_request(uint8_t *stream, size_t cap, uint8_t op, uint16_t group, uint8_t id,
                     uint8_t seq, const uint8_t *payload, size_t n);
/* Decodes every packet in the captured UART output, then clears it. Returns how many. */
int take_responses(smp_msg *out, int max);
/* One request/response exchange; returns 0 and fills *rsp, or -1 if no (or several) replies. */
int transact(uint8_t op, uint16_t group, uint8_t id, const req_builder *b, smp_msg *rsp);
/* Looks a key up in the response map. */
int rsp_get(const smp_msg *m, const char *key, cbor_item *out);
long rsp_uint(const smp_msg *m, const char *key); /* -1 if absent or not an unsigned int */
/* The error a reply carries: rc (SMP v1, or a generic error), else err.rc (v2 group error), else 0.
 * *group gets err.group (or -1) when not NULL. */
long rsp_err(const smp_msg *m, long *group);

/* Fixtures made by device_fixtures.sh, in $FWV_FIXTURES. */
size_t load_fixture(const char *name, uint8_t *buf, size_t cap);
/* Provisions a trust-anchor table with ec1 as "ec1.crt", ec2 as "ec2.crt", rsa as "rsa.crt". */
void provision_anchors(void);

/* Drives the device: init, upload (chunk sizes from seed), signature, verify. Return the SMP
 * rc / fwv of the last step. */
void device_power_on(void);
int upload_image(const uint8_t *img, size_t n, unsigned seed, int with_sha);
long send_signature(const char *alg, const uint8_t *sig, size_t n, const char *certfile);
long verify_staging(long *fwv);
long mark_bootable(long *fwv);

uint32_t test_rand(uint32_t *state);

/* The fixture images (image1/2 for this board, image-x for another) and their signatures. */
extern uint8_t img1[8192], img2[8192], imgx[8192], sig1[80], sig1_ec2[80], sig1_rsa[256], sig2[80],
    sigx[80];
extern size_t n1, n2, nx, s1, s1e2, s1r, s2, sx;
void load_images(void);
/* A factory-fresh board with the test anchors, powered on. */
void fresh_board(void);
/* Signature then verify; the verify's fwv (-2 when the signature was refused). */
long verify_with(const char *alg, const uint8_t *sig, size_t n, const char *cert);
/* One upload request as given; the reply (len 0 when none). */
smp_msg upload_raw(uint32_t off, const uint8_t *d, size_t k, long len, const uint8_t *sha);
/* Uploads, verifies (ec1) and marks an image; the fwv of mark-bootable. */
long install(const uint8_t *img, size_t n, const uint8_t *sig, size_t sn);
/* Power-on and the boot decision. */
fwv_result reboot(void);
/* Image state write, as mcumgr's `image test <hash>` / `image confirm` send it. */
smp_msg state_write(const uint8_t *hash, int confirm);
/* One flag of slot `slot` in an image state reply: 1, 0, or -1 when absent. */
int slot_flag(const smp_msg *m, uint32_t slot, const char *flag);
void sha_of(const uint8_t *d, size_t n, uint8_t out[32]);

#endif
