/* Slots: upload into the staging slot (hashing as chunks arrive), verify it against a trust
 * anchor, mark it bootable (a power-safe copy into the active slot, journalled in slot
 * trailers), and the boot decision.
 *
 * Trailer: the last sector of each slot; one record, little-endian, CRC-32 (zlib) over the rest:
 *   magic u32 "FWSL" | state u32 | image length u32 | alg u8 | certfile length u8 | sig length u16
 *   | certfile[64] | sig[256] | image SHA-256[32] | crc32 u32
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
#define FWV_TRAILER_SIZE 372u
#define FWV_SIG_MAX 256u
#define FWV_CERTFILE_MAX 63u
#define FWV_ALG_NAME_MAX 31u

enum { TRAILER_NONE = 0, TRAILER_COPY_PENDING = 1, TRAILER_ACTIVE = 2 };

typedef struct {
    uint32_t state;
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
    /* verdict */
    uint8_t verified;
} fwv_staging;

extern fwv_staging fwv_stage;

/* Largest image a slot holds (the slot minus its trailer sector). */
uint32_t fwv_slot_capacity(void);
void fwv_stage_reset(void);

typedef enum { UPLOAD_OK, UPLOAD_OFFSET, UPLOAD_TOO_LARGE, UPLOAD_BAD_ARG, UPLOAD_FLASH,
               UPLOAD_HASH_MISMATCH } fwv_upload_status;
/* Handles one upload chunk. *next is the offset the device expects next (the reply's `off`).
 * Returns UPLOAD_OK; UPLOAD_OFFSET (off is not where the device is: resend from *next);
 * UPLOAD_TOO_LARGE (len exceeds fwv_slot_capacity()); UPLOAD_BAD_ARG (len 0, a SHA over 32 bytes,
 * or a chunk past len); UPLOAD_FLASH (erase or write failed); UPLOAD_HASH_MISMATCH (the last
 * chunk landed and the image's SHA-256 differs from the one sent with the first). */
fwv_upload_status fwv_upload_chunk(uint32_t off, const uint8_t *data, size_t n, int has_len,
                                   uint32_t len, const uint8_t *sha, size_t sha_len,
                                   uint32_t *next);

/* Keeps the host's signature for the staged image. Returns FWV_OK; FWV_ERR_UNKNOWN_ALG (alg is
 * not a protocol.json algorithm name); FWV_ERR_BAD_LENGTH (sig empty or over FWV_SIG_MAX);
 * FWV_ERR_ARG (certfile empty or over FWV_CERTFILE_MAX). */
fwv_result fwv_set_signature(const char *alg, size_t alg_len, const uint8_t *sig, size_t sig_len,
                             const char *certfile, size_t certfile_len);
/* Verifies the staged image. Returns FWV_OK; FWV_ERR_NO_IMAGE (upload incomplete);
 * FWV_ERR_HASH_MISMATCH; FWV_ERR_NO_SIGNATURE; or any of fwv_verify_slot's results. */
fwv_result fwv_verify_staging(void);
/* Copies the verified staged image into the active slot, power-safely. Returns FWV_OK;
 * FWV_ERR_NOT_VERIFIED (no successful fwv_verify_staging since the upload); FWV_ERR_FLASH. */
fwv_result fwv_mark_bootable(void);

int fwv_trailer_read(uint32_t slot, fwv_trailer *t); /* 0 when present and its CRC matches */
/* Verifies `len` bytes at addr against the signature and anchor a trailer names. Returns FWV_OK;
 * FWV_ERR_ANCHOR_TABLE (no valid table); FWV_ERR_FLASH (read failed); or what anchor lookup and
 * fwv_verify_* return (FWV_ERR_UNKNOWN_ANCHOR, FWV_ERR_ALG_MISMATCH, FWV_ERR_SIGNATURE, …). */
fwv_result fwv_verify_slot(uint32_t addr, const fwv_trailer *t);

/* The boot decision: finishes an interrupted mark-bootable, then returns FWV_OK when the active
 * slot holds an image whose stored signature verifies (the caller jumps to it). Otherwise
 * FWV_ERR_FLASH (finishing the copy failed), FWV_ERR_NO_IMAGE (no active trailer), or
 * fwv_verify_slot's refusal. */
fwv_result fwv_boot_check(void);

#endif
