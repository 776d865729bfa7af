/* How a thaw run ends when it does not jump into a resumed kernel. */
#ifndef THAW_STOP_H
#define THAW_STOP_H

struct options;

/* Nothing to resume (no image, noresume): a clean stop. Prints why, then under
 * thaw.test_exit leaves QEMU with POWER_EXIT_SUCCESS; else applies thaw.on_fail. */
__attribute__((noreturn, format(printf, 2, 3)))
void stop_nothing_to_resume(const struct options *o, const char *fmt, ...);

/* A resume that failed (bad image, I/O error): prints why, then exits QEMU with
 * POWER_EXIT_FAILURE under thaw.test_exit; else applies thaw.on_fail. */
__attribute__((noreturn, format(printf, 2, 3)))
void stop_failed(const struct options *o, const char *fmt, ...);

#endif
