/* MCUboot's image format, read from flash: the 32-byte header imgtool writes (magic, load
 * address, header size, protected TLV size, image size, flags, version), the payload, then the
 * TLV area (an optional protected block, then the unprotected one, each led by a 4-byte info of
 * magic and total length; each TLV a little-endian type u16 and length u16). fwsign pack adds
 * its own TLVs beside the SHA-256 one: the AWS Signer signature over the payload, the certfile
 * name and the algorithm (protocol.json mcubootImage). */
#ifndef FWV_DEVICE_MCUBOOT_H
#define FWV_DEVICE_MCUBOOT_H

#include <stddef.h>
#include <stdint.h>

#include "fwv/protocol.h"
#include "slots.h"

typedef struct {
    uint32_t hdr_size;  /* payload offset */
    uint32_t img_size;  /* payload length */
    fwv_image_version version;
    uint8_t hash[32];   /* the SHA-256 TLV: over header, payload and protected TLVs */
    /* fwsign's TLVs; lengths 0 when absent */
    uint16_t sig_len;
    uint8_t sig[FWV_SIG_MAX];
    uint8_t certfile_len;
    char certfile[FWV_CERTFILE_MAX + 1];
    uint8_t alg_len;
    char alg[FWV_ALG_NAME_MAX + 1];
} fwv_mcuboot_image;

/* Nonzero when the len bytes at addr start with MCUboot's image magic. */
int fwv_mcuboot_is_image(uint32_t addr, uint32_t len);
/* Parses and checks the image of len bytes at addr: header fields inside len, TLV info magics
 * and lengths, every TLV inside the area, exactly one 32-byte SHA-256 TLV matching the bytes it
 * covers. FWV_ERR_BAD_IMAGE for a malformed image, FWV_ERR_HASH_MISMATCH when the SHA-256 TLV
 * does not match, FWV_ERR_FLASH when flash cannot be read, FWV_OK with *out filled. */
fwv_result fwv_mcuboot_read(uint32_t addr, uint32_t len, fwv_mcuboot_image *out);

#endif
