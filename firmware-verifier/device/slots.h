/* Slots: upload into the staging slot (hashing as chunks arrive), verify it against a trust
 * anchor, mark it bootable (a power-safe copy into the active slot, journalled in slot
 * trailers), and the boot decision.
 *
 * Trailer: the last sector of each slot; one record, little-endian, CRC-32 (zlib) over the rest:
 *   magic u32 "FWSL" | state u32 | image length u32 | alg u8 | certfile length u8 | sig length u16
 *   | certfile[64] | sig[256] | image SHA-256[32] | version[8] (MCUboot's: major u8, minor u8,
 *   revision u16, build u32) | flags u32 | source offset u32 | crc32 u32
 * The image is the len bytes at the slot's start plus the source offset (an MCUboot-format
 * upload's header size: the payload is installed without its header, at the active slot's start,
 * where it was linked); the SHA-256 names the image (an MCUboot image's SHA-256 TLV).
 * State COPY_PENDING in the staging trailer means "this verified image must end up in the active
 * slot": written before the active slot is touched, cleared after the active trailer is written.
 * A power cut before it is valid leaves the old image; after it, the boot finishes the copy. */
#ifndef FWV_DEVICE_SLOTS_H
#define FWV_DEVICE_SLOTS_H

#include <stddef.h>
#include <stdint.h>

#include "fwv/protocol.h"
#include "fwv/sha256.h"

#define FWV_TRAILER_MAGIC 0x4C535746u /* "FWSL" */
#define FWV_TRAILER_SIZE 388u
#define FWV_SIG_MAX 256u
#define FWV_CERTFILE_MAX 63u
#define FWV_ALG_NAME_MAX 31u

enum {
    TRAILER_NONE = 0,
    TRAILER_COPY_PENDING = 1,
    TRAILER_ACTIVE = 2
};
/* Trailer flags: PERMANENT = installed by confirm (or mark bootable), not for a test boot. */
enum {
    TRAILER_F_PERMANENT = 1u
};

/* An image's version as MCUboot's header carries it; 0.0.0 for a raw image. */
typedef struct {
    uint8_t major, minor;
    uint16_t revision;
    uint32_t build;
} fwv_image_version;

/* Writes "major.minor.revision" (".build" when nonzero), as Zephyr's img_mgmt_ver_str does, to
 * out (at least 24 bytes); returns its length. */
size_t fwv_version_str(const fwv_image_version *v, char *out);
/* <0, 0, >0 as a is lower than, equal to or higher than b (build number included). */
int fwv_version_cmp(const fwv_image_version *a, const fwv_image_version *b);

typedef struct {
    uint32_t state;
    uint32_t flags;
    uint32_t src_off;
    fwv_image_version version;
    uint32_t len;
    uint8_t alg;
    uint8_t name_len;
    uint16_t sig_len;
    char name[64];
    uint8_t sig[FWV_SIG_MAX];
    uint8_t sha256[32];
} fwv_trailer;

typedef struct {
    /* upload */
    uint32_t len;        /* declared image length; 0 when no upload started */
    uint32_t received;   /* bytes written so far, contiguous from 0 */
    uint32_t erased_to;  /* bytes of the slot erased so far */
    uint8_t sha_want[32];
    uint8_t sha_want_len;
    uint8_t sha[32];     /* SHA-256 of the image, once complete */
    uint8_t complete;
    uint8_t sha_ok;
    fwv_sha256_ctx hash;
    /* signature handed over by the host */
    uint8_t has_sig;
    uint8_t alg;
    uint8_t name_len;
    uint16_t sig_len;
    char name[64];
    uint8_t sig[FWV_SIG_MAX];
    /* an MCUboot-format upload: where its payload lies, its SHA-256 TLV and header version */
    uint8_t mcuboot;
    uint8_t bad_image;   /* why an MCUboot image did not check out (fwv_result), or 0 */
    uint32_t payload_off, payload_len;
    uint8_t image_hash[32];
    fwv_image_version version;
    /* verdict */
    uint8_t verified;
} fwv_staging;

extern fwv_staging fwv_stage;

/* Largest image a slot holds (the slot minus its trailer sector). */
uint32_t fwv_slot_capacity(void);
void fwv_stage_reset(void);

typedef enum {
    UPLOAD_OK,
    UPLOAD_OFFSET,
    UPLOAD_TOO_LARGE,
    UPLOAD_BAD_ARG,
    UPLOAD_FLASH,
    UPLOAD_HASH_MISMATCH,
    UPLOAD_OVERRUN
} fwv_upload_status;
/* Handles one upload chunk. *next is the offset the device expects next (the reply's `off`).
 * Returns UPLOAD_OK; UPLOAD_OFFSET (off is not where the device is: resend from *next);
 * UPLOAD_TOO_LARGE (len exceeds fwv_slot_capacity()); UPLOAD_BAD_ARG (len 0 or a SHA over 32
 * bytes); UPLOAD_OVERRUN (a chunk past len); UPLOAD_FLASH (erase or write failed);
 * UPLOAD_HASH_MISMATCH (the last chunk landed and the image's SHA-256 differs from the one sent
 * with the first). */
fwv_upload_status fwv_upload_chunk(uint32_t off, const uint8_t *data, size_t n, int has_len,
                                   uint32_t len, const uint8_t *sha, size_t sha_len,
                                   uint32_t *next);

/* Keeps the host's signature for the staged image. Returns FWV_OK; FWV_ERR_UNKNOWN_ALG (alg is
 * not a protocol.json algorithm name); FWV_ERR_BAD_LENGTH (sig empty or over FWV_SIG_MAX);
 * FWV_ERR_ARG (certfile empty or over FWV_CERTFILE_MAX). */
fwv_result fwv_set_signature(const char *alg, size_t alg_len, const uint8_t *sig, size_t sig_len,
                             const char *certfile, size_t certfile_len);
/* Verifies the staged image. Returns FWV_OK; FWV_ERR_NO_IMAGE (upload incomplete);
 * FWV_ERR_HASH_MISMATCH; the refusal of a malformed MCUboot image; FWV_ERR_NO_SIGNATURE; or any
 * of fwv_verify_slot's results. */
fwv_result fwv_verify_staging(void);
/* Installs the verified staging image now. A version lower than the installed one is refused
 * (FWV_ERR_DOWNGRADE) unless allow_downgrade: the deliberate step fwsign's group offers.
 * Otherwise FWV_OK, FWV_ERR_NOT_VERIFIED (no successful fwv_verify_staging since the upload) or
 * FWV_ERR_FLASH. */
fwv_result fwv_mark_bootable(int allow_downgrade);

/* A slot as the image group lists it. */
typedef struct {
    uint32_t slot;
    fwv_image_version version;
    uint8_t hash[32];
    uint8_t bootable, pending, confirmed, active, permanent;
} fwv_slot_info;
/* Fills out[] with the active slot (when it holds an image) and the staging slot (when an
 * upload completed or a pending install is journalled); returns how many. */
int fwv_slots_info(fwv_slot_info out[2]);
/* 0 when hash (1..32 bytes, a prefix) names the active image, 1 the staging image, else -1. */
int fwv_slot_by_hash(const uint8_t *hash, size_t n);
/* Image test / confirm of the staging image: verifies it (with the signature handed over, or
 * the one an MCUboot-format image carries) and journals the install, which the next boot
 * carries out. */
fwv_result fwv_test_staging(int permanent);
/* Confirms the running image. */
fwv_result fwv_confirm_active(void);
/* Image erase: forgets the staging slot (and a pending install) and erases it. */
fwv_result fwv_erase_staging(void);
/* The vector table at addr (len bytes of image) can start from the active slot: initial stack
 * pointer word-aligned inside the application's RAM, reset handler a Thumb address inside the
 * image. FWV_ERR_VECTOR_TABLE otherwise. */
fwv_result fwv_check_vectors(uint32_t addr, uint32_t len);

int fwv_trailer_read(uint32_t slot, fwv_trailer *t); /* 0 when present and its CRC matches */
/* Verifies `len` bytes at addr against the signature and anchor a trailer names. Returns FWV_OK;
 * FWV_ERR_ANCHOR_TABLE (no valid table); FWV_ERR_FLASH (read failed); or what anchor lookup and
 * fwv_verify_* return (FWV_ERR_UNKNOWN_ANCHOR, FWV_ERR_ALG_MISMATCH, FWV_ERR_SIGNATURE, …). */
fwv_result fwv_verify_slot(uint32_t addr, const fwv_trailer *t);

/* The boot decision: finishes an interrupted mark-bootable, then returns FWV_OK when the active
 * slot holds an image whose stored signature verifies (the caller jumps to it). Otherwise
 * FWV_ERR_FLASH (finishing the copy failed), FWV_ERR_NO_IMAGE (no active trailer),
 * fwv_verify_slot's refusal, or FWV_ERR_VECTOR_TABLE (fwv_check_vectors). */
fwv_result fwv_boot_check(void);

#endif
