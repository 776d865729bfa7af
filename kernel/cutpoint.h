/* Power cuts on cue, for the reliability tests: thaw.test=cut:<phase> stops the machine
 * dead when the restore reaches that phase, announces it on the console and waits to be
 * killed (QEMU is then stopped with no shutdown of any kind), so a test can cut power at
 * an exact point instead of by timing luck. Without that option every call is a no-op. */
#ifndef THAW_KERNEL_CUTPOINT_H
#define THAW_KERNEL_CUTPOINT_H
#include <stdbool.h>

/* The phases, in restore order (tests/system/test_powercut.py names the same):
 *   located    the image's swap header was found and read
 *   load-10, load-50, load-90   that share of the image's pages is in place
 *   verified   every page loaded, the stream's CRC32 checked
 *   written    the signature reset was written, before the flush
 *   committed  written and flushed, before the jump */

/* Arm from the thaw.test= value ("cut:<phase>"; anything else leaves it unarmed). */
void cutpoint_arm(const char *test);

bool cutpoint_armed(const char *phase);

/* If armed for phase: say so on the console and halt forever. */
void cutpoint(const char *phase);

#endif
