/*
 * The P-256 arithmetic inside src/p256.c (its static functions, hence the #include) against
 * Python's big integers: field multiply, square, add, subtract modulo p at the edges of every
 * carry and of p's special form; Montgomery multiply and inverse modulo n; and the width-w NAF
 * recoding (digits odd and bounded, spaced, summing back to the scalar).
 *   fwv-field-test build/test/vectors/field.txt
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../src/p256.c"

static long passed, failed;

static void from_hex(fe r, const char *hex)
{
    uint8_t b[32];
    int i;
    if (strlen(hex) != 64) {
        fprintf(stderr, "fwv-field-test: bad operand %s\n", hex);
        exit(2);
    }
    for (i = 0; i < 32; i++) {
        unsigned v;
        if (sscanf(hex + 2 * i, "%2x", &v) != 1) exit(2);
        b[i] = (uint8_t)v;
    }
    bn_from_be(r, b);
}

static void check(int ok, const char *op, const char *a, const char *b)
{
    if (ok) {
        passed++;
        return;
    }
    failed++;
    fprintf(stderr, "FAIL %s %s %s\n", op, a, b ? b : "");
}

/* the NAF's rules, and sum naf[i] 2^i == k (computed mod p; k < n < p) */
static void check_wnaf(const char *hex, int w)
{
    fe k, acc, d;
    int8_t naf[257];
    int i, last = -1000, ok = 1;
    from_hex(k, hex);
    wnaf(naf, k, w);
    memset(acc, 0, sizeof acc);
    for (i = 256; i >= 0; i--) {
        fe_add(acc, acc, acc);
        if (!naf[i]) continue;
        if (!(naf[i] & 1) || naf[i] >= (1 << (w - 1)) || naf[i] <= -(1 << (w - 1))) ok = 0;
        if (last - i < w && last != -1000) ok = 0;   /* at least w - 1 zeros between digits */
        last = i;
        memset(d, 0, sizeof d);
        d[0] = (uint32_t)(naf[i] < 0 ? -naf[i] : naf[i]);
        if (naf[i] > 0) fe_add(acc, acc, d);
        else fe_sub(acc, acc, d);
    }
    check(ok && bn_eq(acc, k), w == 5 ? "wnaf5" : "wnaf4", hex, NULL);
}

int main(int argc, char **argv)
{
    static char line[1024];
    FILE *f;
    if (argc != 2 || !(f = fopen(argv[1], "r"))) {
        fprintf(stderr, "usage: fwv-field-test field.txt\n");
        return 2;
    }
    while (fgets(line, sizeof line, f)) {
        char *op = strtok(line, " \n"), *a = strtok(NULL, " \n"), *b = strtok(NULL, " \n"),
             *c = strtok(NULL, " \n");
        fe x, y, want, got;
        if (!op || !a) continue;
        from_hex(x, a);
        if (strcmp(op, "wnaf") == 0) {
            check_wnaf(a, 4);
            check_wnaf(a, 5);
            continue;
        }
        if (!b) {
            fprintf(stderr, "fwv-field-test: short line\n");
            return 2;
        }
        if (strcmp(op, "sqr") == 0 || strcmp(op, "mninv") == 0) {
            from_hex(want, b);
            if (op[0] == 's') fe_sqr(got, x);
            else mn_inv(got, x);
            check(bn_eq(got, want), op, a, NULL);
            continue;
        }
        if (!c) {
            fprintf(stderr, "fwv-field-test: short line\n");
            return 2;
        }
        from_hex(y, b);
        from_hex(want, c);
        if (strcmp(op, "mul") == 0) fe_mul(got, x, y);
        else if (strcmp(op, "add") == 0) fe_add(got, x, y);
        else if (strcmp(op, "sub") == 0) fe_sub(got, x, y);
        else if (strcmp(op, "mnmul") == 0) mn_mul(got, x, y);
        else {
            fprintf(stderr, "fwv-field-test: unknown op %s\n", op);
            return 2;
        }
        check(bn_eq(got, want), op, a, b);
    }
    fclose(f);
    printf("fwv-field-test: %ld passed, %ld failed\n", passed, failed);
    return failed ? 1 : 0;
}
