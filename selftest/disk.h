/* Built-in disk self-tests for the system tests, chosen with thaw.test=: disks,
 * disk-read, disk-write, disk-bench[:<device>]. Each prints lines the host checks and ends
 * QEMU through power_test_exit(). */
#ifndef THAW_SELFTEST_DISK_H
#define THAW_SELFTEST_DISK_H
#include "kernel/cmdline.h"

/* Run the test o->test names if it is one of the disk tests; otherwise return. */
void disktest_run(const struct options *o);

#endif
