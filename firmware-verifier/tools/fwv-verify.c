/*
 * fwv-verify: the verifier core as a host command, for cross-checking the signing engine.
 *   fwv-verify --alg sig-sha256-ecdsa|sig-sha1-rsa --pubkey pub.pem --sig SIGFILE --in IMAGE
 * Exit 0 and "FWV_OK" when verified; exit 1 and the result code's name otherwise; exit 2 for
 * usage errors and unreadable files.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fwv/verify.h"
#include "spki.h"

static int usage(const char *why)
{
    fprintf(stderr, "fwv-verify: %s\nusage: fwv-verify --alg sig-sha256-ecdsa|sig-sha1-rsa "
                    "--pubkey pub.pem --sig SIGFILE --in IMAGE\n",
            why);
    return 2;
}

/* reads a whole small file (key, signature) into buf; returns its length or -1 */
static long slurp(const char *path, uint8_t *buf, size_t cap)
{
    FILE *f = fopen(path, "rb");
    size_t n;
    if (!f) return -1;
    n = fread(buf, 1, cap, f);
    if (ferror(f) || (n == cap && fgetc(f) != EOF)) n = (size_t)-1;
    fclose(f);
    return n == (size_t)-1 ? -1 : (long)n;
}

static int finish(fwv_result r)
{
    printf("%s\n", fwv_result_name(r));
    if (r != FWV_OK) fprintf(stderr, "fwv-verify: %s\n", fwv_result_text(r));
    return r == FWV_OK ? 0 : 1;
}

int main(int argc, char **argv)
{
    const char *alg_name = NULL, *pub_path = NULL, *sig_path = NULL, *in_path = NULL;
    static uint8_t pem[16384], sig[1024], chunk[4096];
    uint8_t key[FWV_TA_KEY_SIZE], zero[32] = {0};
    fwv_verify_ctx ctx;
    fwv_anchor anchor;
    long pem_len, sig_len;
    int i, alg, key_type;
    FILE *in;
    fwv_result r;

    for (i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--alg")) alg_name = argv[i + 1];
        else if (!strcmp(argv[i], "--pubkey")) pub_path = argv[i + 1];
        else if (!strcmp(argv[i], "--sig")) sig_path = argv[i + 1];
        else if (!strcmp(argv[i], "--in")) in_path = argv[i + 1];
        else return usage("unknown option");
    }
    if (i != argc || !alg_name || !pub_path || !sig_path || !in_path)
        return usage("expected --alg, --pubkey, --sig and --in, each with a value");

    alg = fwv_alg_from_name(alg_name, strlen(alg_name));
    if (!alg) return finish(FWV_ERR_UNKNOWN_ALG);
    pem_len = slurp(pub_path, pem, sizeof pem);
    if (pem_len < 0) return usage("cannot read --pubkey file");
    sig_len = slurp(sig_path, sig, sizeof sig);
    if (sig_len < 0) return usage("cannot read --sig file (or it is over 1024 bytes)");
    key_type = fwv_spki_from_pem((const char *)pem, (size_t)pem_len, key);
    if (!key_type) return finish(FWV_ERR_BAD_KEY);

    anchor.key_type = (uint8_t)key_type;
    anchor.name_len = 0;
    anchor.name = (const uint8_t *)"";
    anchor.cert_sha256 = zero;
    anchor.key = key;

    in = fopen(in_path, "rb");
    if (!in) return usage("cannot read --in file");
    fwv_verify_init(&ctx, alg, 0xffffffffu);
    for (;;) {
        size_t n = fread(chunk, 1, sizeof chunk, in);
        if (n == 0) break;
        r = fwv_verify_update(&ctx, chunk, n);
        if (r != FWV_OK) {
            fclose(in);
            return finish(r);
        }
    }
    if (ferror(in)) {
        fclose(in);
        return usage("error reading --in file");
    }
    fclose(in);
    return finish(fwv_verify_final(&ctx, &anchor, sig, (size_t)sig_len));
}
