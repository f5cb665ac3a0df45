/*
 * Internal: the one multiply-accumulate step the bignum code is built from,
 *   (hi:lo) = a * b + lo + hi        (cannot overflow 64 bits)
 * which is exactly the UMAAL instruction of ARMv6 / ARMv7E-M (Cortex-M4: one instruction, one
 * cycle). Elsewhere it is the same arithmetic in portable C, so the host tests run the very
 * algorithm the board runs; only this single step differs.
 */
#ifndef FWV_UMAAL_H
#define FWV_UMAAL_H

#include <stdint.h>

#if defined(__ARM_ARCH_7EM__) && defined(__thumb2__) && !defined(FWV_PORTABLE_UMAAL)
#define UMAAL(lo, hi, a, b) __asm__("umaal %0, %1, %2, %3" : "+r"(lo), "+r"(hi) : "r"(a), "r"(b))
#else
#define UMAAL(lo, hi, a, b) \
    do { \
        uint64_t umaal_t_ = (uint64_t)(a) * (b) + (lo) + (hi); \
        (lo) = (uint32_t)umaal_t_; \
        (hi) = (uint32_t)(umaal_t_ >> 32); \
    } while (0)
#endif

#endif /* FWV_UMAAL_H */
