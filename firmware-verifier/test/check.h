/* A dozen lines of test harness: counted checks that say what was expected and what came. */
#ifndef FWV_TEST_CHECK_H
#define FWV_TEST_CHECK_H

#include <stdio.h>
#include "fwv/verify.h"

extern long fwv_test_passed, fwv_test_failed;

#define CHECK(cond, ...) \
    do { \
        if (cond) { \
            fwv_test_passed++; \
        } else { \
            fwv_test_failed++; \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
            fprintf(stderr, __VA_ARGS__); \
            fputc('\n', stderr); \
        } \
    } while (0)

/* expected result code vs. what came, by name */
#define CHECK_RES(got, want, what) \
    CHECK((got) == (want), "%s: expected %s, got %s", (what), fwv_result_name(want), \
          fwv_result_name(got))

size_t fwv_test_unhex(const char *hex, uint8_t *out, size_t cap);

void test_hash(void);
void test_der(void);
void test_anchors(void);
void test_api(void);
void test_vector_file(const char *path);

#endif /* FWV_TEST_CHECK_H */
