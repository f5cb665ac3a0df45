/* Names and texts of result codes and algorithms, tabled from protocol.h's X-macros. */
#include "fwv/verify.h"

#define NAME(code, text) #code,
#define TEXT(code, text) text,
static const char *const names[FWV_RESULT_COUNT] = {FWV_RESULT_LIST(NAME)};
static const char *const texts[FWV_RESULT_COUNT] = {FWV_RESULT_LIST(TEXT)};

const char *fwv_result_name(fwv_result r)
{
    return (unsigned)r < FWV_RESULT_COUNT ? names[r] : "FWV_ERR_?";
}

const char *fwv_result_text(fwv_result r)
{
    return (unsigned)r < FWV_RESULT_COUNT ? texts[r] : "unknown result code";
}

static int same(const char *a, size_t len, const char *lit)
{
    size_t i;
    for (i = 0; i < len && lit[i] && a[i] == lit[i]; i++) {}
    return i == len && lit[i] == 0;
}

int fwv_alg_from_name(const char *name, size_t len)
{
    if (!name) return 0;
    if (same(name, len, FWV_ALG_SHA256_ECDSA_KEY)) return FWV_ALG_SHA256_ECDSA;
    if (same(name, len, FWV_ALG_SHA1_RSA_KEY)) return FWV_ALG_SHA1_RSA;
    return 0;
}
