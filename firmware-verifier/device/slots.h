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
 * A power cut before it is valid leaves the old image; after it, the boot finishes the copy.
 *
 * Test, confirm, revert (install.c): image test journals SWAP_PENDING instead; the boot swaps
 * the two slots sector by sector through a scratch sector (the layout's `scratch`, one sector
 * after the staging slot), so the previous image ends up in the staging slot, and boots the new
 * one once, unconfirmed. The staging trailer sector then holds three things, each written once
 * between erases (NOR programming only clears bits, so a torn write is redone with the same
 * bytes):
 *   [0, 388)    the tested image's record (state SWAP_PENDING)
 *   [388, 776)  the previous image's record, copied from the active trailer before the swap
 *               starts (absent when there was no previous image)
 *   [776, ...)  the swap log, one byte per step, 0xFF = not done: "started", then for each
 *               swapped sector "scratch holds the old sector", "active sector holds the new",
 *               "staging sector holds the old", then "active trailer names the new image".
 * A boot that finds the log incomplete redoes the first step not done (every step only reads
 * what no earlier step overwrote) and so always ends the swap. A later boot that finds the log
 * complete and the running image not confirmed reverts: it copies the previous image back (a
 * COPY_PENDING install, power-safe as above) or, with none, erases the active trailer.
 * Confirmed = the record's PERMANENT flag, or the confirm byte after the active trailer's record
 * (FWV_CONFIRM_OFFSET) programmed to 0x00: one byte write, atomic, as MCUboot's image_ok. */
#ifndef FWV_DEVICE_SLOTS_H
#define FWV_DEVICE_SLOTS_H

#include <stddef.h>
#include <stdint.h>

#include "fwv/protocol.h"
#include "fwv/sha256.h"

#define FWV_TRAILER_MAGIC 0x4C535746u /* "FWSL" */
#define FWV_TRAILER_SIZE 388u
#define FWV_TRAILER_SHA_OFFSET 336u     /* the image's SHA-256 in a trailer record */
#define FWV_TRAILER_VERSION_OFFSET 368u /* its version (fwv_version_get) */
#define FWV_SIG_MAX 256u
#define FWV_CERTFILE_MAX 63u
#define FWV_ALG_NAME_MAX 31u

enum { TRAILER_NONE = 0, TRAILER_COPY_PENDING = 1, TRAILER_ACTIVE = 2, TRAILER_SWAP_PENDING = 3 };
/* Trailer flags: PERMANENT = installed by confirm (or mark bootable), not for a test boot. */
enum { TRAILER_F_PERMANENT = 1u };
/* Offsets in a trailer sector: the active one's confirm byte; the staging one's previous-image
 * record and swap log (see above). An application confirms itself by programming 0x00 at
 * FWV_CONFIRM_OFFSET past the active trailer's start (active + slot_size - sector_size). */
#define FWV_CONFIRM_OFFSET FWV_TRAILER_SIZE
#define FWV_PREVIOUS_OFFSET FWV_TRAILER_SIZE
#define FWV_SWAP_LOG_OFFSET (2u * FWV_TRAILER_SIZE)

/* An image's version as MCUboot's header carries it; 0.0.0 for a raw image. */
typedef struct {
    uint8_t major, minor;
    uint16_t revision;
    uint32_t build;
} fwv_image_version;

/* version.c: reads the 8 bytes of MCUboot's version (as the header and the trailer hold it). */
void fwv_version_get(const uint8_t *p, fwv_image_version *v);
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

typedef enum { UPLOAD_OK, UPLOAD_OFFSET, UPLOAD_TOO_LARGE, UPLOAD_BAD_ARG, UPLOAD_FLASH,
               UPLOAD_HASH_MISMATCH, UPLOAD_OVERRUN, UPLOAD_ON_TRIAL } fwv_upload_status;
/* Handles one upload chunk. *next is the offset the device expects next (the reply's `off`).
 * Returns UPLOAD_OK; UPLOAD_OFFSET (off is not where the device is: resend from *next);
 * UPLOAD_TOO_LARGE (len exceeds fwv_slot_capacity()); UPLOAD_BAD_ARG (len 0 or a SHA over 32
 * bytes); UPLOAD_OVERRUN (a chunk past len); UPLOAD_FLASH (erase or write failed);
 * UPLOAD_HASH_MISMATCH (the last chunk landed and the image's SHA-256 differs from the one sent
 * with the first); UPLOAD_ON_TRIAL (a new upload while fwv_on_trial()). */
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
 * carries out: a swap for a test (revertible), a copy for a confirm (permanent). */
fwv_result fwv_test_staging(int permanent);
/* Confirms the running image (its confirm byte). FWV_ERR_NO_IMAGE when there is none. */
fwv_result fwv_confirm_active(void);
/* The running image's trailer says it is confirmed (t: the active trailer, read). */
int fwv_active_confirmed(const fwv_trailer *t);
/* The previous image kept for a revert: 1 and *prev when the staging slot holds one (a test
 * swap finished), whether or not the running image is confirmed; 0 otherwise. */
int fwv_previous_image(fwv_trailer *prev);
/* The running image is on trial: a test swap finished and it is not confirmed (the next boot
 * reverts it). Uploads and erases of the staging slot, which holds the way back, are refused. */
int fwv_on_trial(void);
/* Image erase: forgets the staging slot (and a pending install) and erases it. */
fwv_result fwv_erase_staging(void);
/* The vector table at addr (len bytes of image) can start from the active slot: initial stack
 * pointer word-aligned inside the application's RAM, reset handler a Thumb address inside the
 * image. FWV_ERR_VECTOR_TABLE otherwise. */
fwv_result fwv_check_vectors(uint32_t addr, uint32_t len);

int fwv_trailer_read(uint32_t slot, fwv_trailer *t); /* 0 when present and its CRC matches */
/* The trailer sector's address of a slot; a record at an address (fwv_record_read: 0 when
 * valid), written without erasing first (fwv_record_write) or into a freshly erased trailer
 * sector (fwv_trailer_write). All return 0 or -1. */
uint32_t fwv_trailer_addr(uint32_t slot);
int fwv_record_read(uint32_t addr, fwv_trailer *t);
int fwv_record_write(uint32_t addr, const fwv_trailer *t);
int fwv_trailer_write(uint32_t slot, const fwv_trailer *t);
/* Verifies `len` bytes at addr against the signature and anchor a trailer names. Returns FWV_OK;
 * FWV_ERR_ANCHOR_TABLE (no valid table); FWV_ERR_FLASH (read failed); or what anchor lookup and
 * fwv_verify_* return (FWV_ERR_UNKNOWN_ANCHOR, FWV_ERR_ALG_MISMATCH, FWV_ERR_SIGNATURE, …). */
fwv_result fwv_verify_slot(uint32_t addr, const fwv_trailer *t);

/* The boot decision (install.c): finishes an interrupted mark-bootable, carries out or finishes
 * a test swap, reverts an unconfirmed image that already had its boot, then returns FWV_OK when
 * the active slot holds an image whose stored signature verifies (the caller jumps to it).
 * Otherwise
 * FWV_ERR_FLASH (finishing the copy failed), FWV_ERR_NO_IMAGE (no active trailer),
 * fwv_verify_slot's refusal, or FWV_ERR_VECTOR_TABLE (fwv_check_vectors). */
fwv_result fwv_boot_check(void);
/* Copies a journalled (COPY_PENDING) install into the active slot and frees the staging slot;
 * restartable after a cut. FWV_OK or FWV_ERR_FLASH. */
fwv_result fwv_finish_copy(const fwv_trailer *pending);

#endif
