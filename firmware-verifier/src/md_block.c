#include <string.h>
#include "md_block.h"

void fwv_md_update(uint32_t *h, uint8_t buf[64], size_t *fill, uint64_t *len,
                   const uint8_t *d, size_t n, fwv_md_compress compress)
{
    *len += n;
    if (*fill) {
        size_t take = 64 - *fill;
        if (take > n) take = n;
        memcpy(buf + *fill, d, take);
        *fill += take;
        d += take;
        n -= take;
        if (*fill < 64) return;
        compress(h, buf);
        *fill = 0;
    }
    for (; n >= 64; d += 64, n -= 64) compress(h, d);
    if (n) memcpy(buf, d, n);
    *fill = n;
}

void fwv_md_final(uint32_t *h, uint8_t buf[64], size_t fill, uint64_t len,
                  fwv_md_compress compress, uint8_t *out, size_t out_len)
{
    uint64_t bits = len << 3;
    size_t i;
    buf[fill++] = 0x80;
    if (fill > 56) {
        memset(buf + fill, 0, 64 - fill);
        compress(h, buf);
        fill = 0;
    }
    memset(buf + fill, 0, 56 - fill);
    for (i = 0; i < 8; i++) buf[56 + i] = (uint8_t)(bits >> (56 - 8 * i));
    compress(h, buf);
    for (i = 0; i < out_len; i++) out[i] = (uint8_t)(h[i >> 2] >> (24 - 8 * (i & 3)));
}
