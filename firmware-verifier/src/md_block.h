/* The Merkle-Damgard plumbing SHA-1 and SHA-256 share: buffering partial blocks and the final
 * padding. Only the compression function and the digest length differ between them. */
#ifndef FWV_MD_BLOCK_H
#define FWV_MD_BLOCK_H
#include <stddef.h>
#include <stdint.h>

typedef void (*fwv_md_compress)(uint32_t *h, const uint8_t block[64]);

/* Feeds n bytes: completes a buffered partial block first, then compresses whole blocks straight
 * from the caller's buffer (no copy), and keeps the tail in buf. */
void fwv_md_update(uint32_t *h, uint8_t buf[64], size_t *fill, uint64_t *len,
                   const uint8_t *d, size_t n, fwv_md_compress compress);

/* Pads (0x80, zeros to 56 mod 64, the bit length big-endian), compresses the last block(s) and
 * writes the first out_len bytes of the state big-endian. */
void fwv_md_final(uint32_t *h, uint8_t buf[64], size_t fill, uint64_t len,
                  fwv_md_compress compress, uint8_t *out, size_t out_len);
#endif
