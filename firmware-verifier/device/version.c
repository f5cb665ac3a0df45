/* Image versions as MCUboot lays them out, compared and printed as Zephyr does: see slots.h. Kept
 * apart from slots.c so that the demo application, which links no slot code, prints them too. */
#include <stddef.h>
#include <stdint.h>

#include "slots.h"

void fwv_version_get(const uint8_t *p, fwv_image_version *v)
{
    v->major = p[0];
    v->minor = p[1];
    v->revision = (uint16_t)(p[2] | p[3] << 8);
    v->build = (uint32_t)p[4] | (uint32_t)p[5] << 8 | (uint32_t)p[6] << 16 | (uint32_t)p[7] << 24;
}

static size_t put_dec(char *out, uint32_t v)
{
    char d[10];
    size_t n = 0, k = 0;
    do {
        d[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n) out[k++] = d[--n];
    return k;
}

size_t fwv_version_str(const fwv_image_version *v, char *out)
{
    size_t k = put_dec(out, v->major);
    out[k++] = '.';
    k += put_dec(out + k, v->minor);
    out[k++] = '.';
    k += put_dec(out + k, v->revision);
    if (v->build) {
        out[k++] = '.';
        k += put_dec(out + k, v->build);
    }
    return k;
}

int fwv_version_cmp(const fwv_image_version *a, const fwv_image_version *b)
{
    if (a->major != b->major) return a->major < b->major ? -1 : 1;
    if (a->minor != b->minor) return a->minor < b->minor ? -1 : 1;
    if (a->revision != b->revision) return a->revision < b->revision ? -1 : 1;
    if (a->build != b->build) return a->build < b->build ? -1 : 1;
    return 0;
}
