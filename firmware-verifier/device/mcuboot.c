/* MCUboot image parsing from flash: see mcuboot.h. */
#include "mcuboot.h"

#include <string.h>

#include "fwv/sha256.h"
#include "port.h"

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }

int fwv_mcuboot_is_image(uint32_t addr, uint32_t len)
{
    uint8_t m[4];
    return len >= FWV_MCUBOOT_HEADER_SIZE && port_flash_read(addr, m, 4) == 0 &&
           le32(m) == FWV_MCUBOOT_MAGIC;
}

/* Copies a TLV's value into dst (at most cap bytes); -1 when longer or unreadable. */
static int take(uint32_t at, uint16_t n, void *dst, size_t cap)
{
    if (n == 0 || n > cap) return -1;
    return port_flash_read(at, dst, n);
}

/* Walks one TLV block [at, at + total): fills *out with the TLVs fwsign knows. */
static fwv_result read_tlvs(uint32_t at, uint32_t total, fwv_mcuboot_image *out, int *hashes)
{
    uint32_t end = at + total;
    for (uint32_t p = at + 4; p < end;) {
        uint8_t h[4];
        if (end - p < 4) return FWV_ERR_BAD_IMAGE;
        if (port_flash_read(p, h, 4) != 0) return FWV_ERR_FLASH;
        uint16_t type = le16(h), n = le16(h + 2);
        uint32_t v = p + 4;
        if (n > end - v) return FWV_ERR_BAD_IMAGE;
        int bad = 0;
        if (type == FWV_MCUBOOT_TLV_SHA256) {
            bad = n != 32 || port_flash_read(v, out->hash, 32) != 0;
            (*hashes)++;
        } else if (type == FWV_MCUBOOT_TLV_FWSIGN_SIG) {
            bad = take(v, n, out->sig, sizeof out->sig);
            out->sig_len = n;
        } else if (type == FWV_MCUBOOT_TLV_FWSIGN_CERTFILE) {
            bad = take(v, n, out->certfile, FWV_CERTFILE_MAX);
            out->certfile_len = (uint8_t)n;
        } else if (type == FWV_MCUBOOT_TLV_FWSIGN_ALG) {
            bad = take(v, n, out->alg, FWV_ALG_NAME_MAX);
            out->alg_len = (uint8_t)n;
        }
        if (bad) return FWV_ERR_BAD_IMAGE;
        p = v + n;
    }
    return FWV_OK;
}

fwv_result fwv_mcuboot_read(uint32_t addr, uint32_t len, fwv_mcuboot_image *out)
{
    uint8_t hdr[FWV_MCUBOOT_HEADER_SIZE], info[4];
    memset(out, 0, sizeof *out);
    if (len < sizeof hdr) return FWV_ERR_BAD_IMAGE;
    if (port_flash_read(addr, hdr, sizeof hdr) != 0) return FWV_ERR_FLASH;
    if (le32(hdr) != FWV_MCUBOOT_MAGIC) return FWV_ERR_BAD_IMAGE;
    /* magic u32 | load_addr u32 | hdr_size u16 | protect_tlv_size u16 | img_size u32 |
     * flags u32 | version: major u8, minor u8, revision u16, build u32 | pad u32 */
    uint32_t hdr_size = le16(hdr + 8), prot = le16(hdr + 10), img_size = le32(hdr + 12);
    if (hdr_size < sizeof hdr || img_size == 0 || hdr_size > len || img_size > len - hdr_size)
        return FWV_ERR_BAD_IMAGE;
    out->hdr_size = hdr_size;
    out->img_size = img_size;
    fwv_version_get(hdr + 20, &out->version);
    uint32_t at = hdr_size + img_size;
    int hashes = 0;
    fwv_result r;
    if (prot) { /* protected TLVs: covered by the hash, read for what they carry */
        if (prot < 4 || prot > len - at) return FWV_ERR_BAD_IMAGE;
        if (port_flash_read(addr + at, info, 4) != 0) return FWV_ERR_FLASH;
        if (le16(info) != FWV_MCUBOOT_PROT_TLV_INFO_MAGIC || le16(info + 2) != prot)
            return FWV_ERR_BAD_IMAGE;
        if ((r = read_tlvs(addr + at, prot, out, &hashes)) != FWV_OK) return r;
    }
    uint32_t hashed = at + prot; /* header, payload and protected TLVs */
    if (len - hashed < 4) return FWV_ERR_BAD_IMAGE;
    if (port_flash_read(addr + hashed, info, 4) != 0) return FWV_ERR_FLASH;
    uint32_t total = le16(info + 2);
    if (le16(info) != FWV_MCUBOOT_TLV_INFO_MAGIC || total < 4 || total > len - hashed)
        return FWV_ERR_BAD_IMAGE;
    if ((r = read_tlvs(addr + hashed, total, out, &hashes)) != FWV_OK) return r;
    if (hashes != 1) return FWV_ERR_BAD_IMAGE;
    fwv_sha256_ctx h;
    uint8_t buf[128], got[32];
    fwv_sha256_init(&h);
    for (uint32_t off = 0; off < hashed; off += sizeof buf) {
        uint32_t k = hashed - off < sizeof buf ? hashed - off : (uint32_t)sizeof buf;
        if (port_flash_read(addr + off, buf, k) != 0) return FWV_ERR_FLASH;
        fwv_sha256_update(&h, buf, k);
    }
    fwv_sha256_final(&h, got);
    return memcmp(got, out->hash, 32) == 0 ? FWV_OK : FWV_ERR_HASH_MISMATCH;
}
