/* Built-in failure tests for the system tests, chosen with thaw.test=: fault,
 * double-fault, stack-overflow, panic, and late-fault, late-panic (the same after the
 * disks are found and LUKS unlocked: the key wipe on those paths). Each fails on
 * purpose so the exception and panic paths are seen to work; none returns. */
#ifndef THAW_SELFTEST_FAULTS_H
#define THAW_SELFTEST_FAULTS_H
#include "kernel/cmdline.h"

/* Run the test o->test names if it is one of the fault tests; otherwise return. */
void faulttest_run(const struct options *o);

/* The late-* tests, run by kmain after disks_init(); otherwise return. */
void faulttest_run_late(const struct options *o);

#endif
