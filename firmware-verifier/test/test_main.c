/* Host test runner: unit tests, then each vector file named on the command line. */
#include <stdlib.h>
#include <string.h>
#include "check.h"

long fwv_test_passed, fwv_test_failed;

/* hex string (or "-" for empty) into out; aborts the run on malformed input */
size_t fwv_test_unhex(const char *hex, uint8_t *out, size_t cap)
{
    size_t n = strlen(hex), i;
    if (strcmp(hex, "-") == 0) return 0;
    if (n % 2 || n / 2 > cap) {
        fprintf(stderr, "fwv-test: bad hex field of %zu chars\n", n);
        exit(2);
    }
    for (i = 0; i < n / 2; i++) {
        unsigned v;
        if (sscanf(hex + 2 * i, "%2x", &v) != 1) {
            fprintf(stderr, "fwv-test: bad hex digit\n");
            exit(2);
        }
        out[i] = (uint8_t)v;
    }
    return n / 2;
}

int main(int argc, char **argv)
{
    int i;
    test_hash();
    test_der();
    test_anchors();
    test_api();
    for (i = 1; i < argc; i++) test_vector_file(argv[i]);
    printf("fwv-test: %ld passed, %ld failed\n", fwv_test_passed, fwv_test_failed);
    return fwv_test_failed ? 1 : 0;
}
