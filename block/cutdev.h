/* A block device that cuts power (kernel/cutpoint.h, phase "written") right after its
 * first completed write: how the reliability tests stop thaw between the signature
 * reset's write and its flush. */
#ifndef THAW_BLOCK_CUTDEV_H
#define THAW_BLOCK_CUTDEV_H
#include "block/blockdev.h"

/* d itself unless the "written" cut is armed; then a device in *wrap that forwards
 * every request to d and cuts after the first write completes. */
struct blockdev *cutdev_wrap(struct blockdev *d, struct blockdev *wrap);

#endif
