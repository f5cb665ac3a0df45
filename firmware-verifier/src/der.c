/* Strict DER ECDSA-Sig-Value parser: a bounds check, a conversion, nothing loose. */
#include <string.h>
#include "fwv/der.h"

/*
 * Reads one INTEGER at sig[*pos..end) into out (32 bytes, big-endian, left-padded).
 * Rejects: wrong tag, long-form length (an INTEGER of <= 33 bytes always fits short form),
 * empty content, a negative value, a redundant leading 0x00, more than 32 significant bytes.
 */
static int der_uint(const uint8_t *sig, size_t end, size_t *pos, uint8_t out[32])
{
    size_t p = *pos, n;
    if (end - p < 2 || sig[p] != 0x02) return 0;
    n = sig[p + 1];
    p += 2;
    if (n == 0 || n > 33 || n > end - p) return 0;     /* also rejects 0x80.. long form */
    if (sig[p] & 0x80) return 0;                         /* negative */
    if (sig[p] == 0x00) {
        if (n == 1) {
            /* zero itself is minimally encoded; range check (r, s >= 1) is p256's job */
        } else {
            if (!(sig[p + 1] & 0x80)) return 0;          /* 0x00 not needed for the sign */
            p++;
            n--;
        }
    }
    if (n > 32) return 0;
    memset(out, 0, 32 - n);
    memcpy(out + 32 - n, sig + p, n);
    *pos = p + n;
    return 1;
}

fwv_result fwv_der_ecdsa_sig_to_raw(const uint8_t *sig, size_t len, uint8_t r[32], uint8_t s[32])
{
    size_t pos, end;
    if (!r || !s || (!sig && len)) return FWV_ERR_ARG;
    /* SEQUENCE header: 0x30 then a length; the body is at most 2 * 35 = 70 bytes */
    if (len < 2 || sig[0] != 0x30) return FWV_ERR_DER;
    if (sig[1] < 0x80) {
        pos = 2;
        end = 2 + (size_t)sig[1];
    } else if (sig[1] == 0x81 && len >= 3 && sig[2] >= 0x80) {
        /* long form only where the short form cannot hold the length */
        pos = 3;
        end = 3 + (size_t)sig[2];
    } else {
        return FWV_ERR_DER;
    }
    if (end != len) return FWV_ERR_DER;                  /* truncated or trailing bytes */
    if (!der_uint(sig, end, &pos, r)) return FWV_ERR_DER;
    if (!der_uint(sig, end, &pos, s)) return FWV_ERR_DER;
    if (pos != end) return FWV_ERR_DER;                  /* bytes after s inside the SEQUENCE */
    return FWV_OK;
}
