/* FUZZ_ORACLE marks a harness's own checking function (the oracle, not thaw's code):
 * clang builds it with ASan + UBSan but without coverage feedback, so its loops neither
 * cost the compare tracing on every input nor lead the fuzzer to chase the oracle's
 * branches. noinline keeps it out of instrumented callers. gcc (the replayers) has no
 * coverage to drop. */
#ifndef THAW_FUZZ_ORACLE_H
#define THAW_FUZZ_ORACLE_H

#if defined(__clang__)
#define FUZZ_ORACLE __attribute__((no_sanitize("coverage"), noinline))
#else
#define FUZZ_ORACLE __attribute__((noinline))
#endif

#endif
