#ifndef FWV_BENCH_H
#define FWV_BENCH_H
void bench_puts(const char *s);
void bench_exit(int code) __attribute__((noreturn));
#endif
