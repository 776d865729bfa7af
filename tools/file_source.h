/* A block source over a host file or block device (4 KiB blocks), for thawctl and the
 * tests: struct img_source on top of pread()/pwrite(). */
#ifndef THAW_FILE_SOURCE_H
#define THAW_FILE_SOURCE_H
#include <stdbool.h>
#include <stdint.h>
#include "image/image_read.h"

struct file_source {
	int fd;
	uint64_t bytes;
	struct img_source src;
};

/* 0 on success, else -errno. writable opens read-write (for discard). */
int file_source_open(struct file_source *fs, const char *path, bool writable);
void file_source_close(struct file_source *fs);
/* Write one 4 KiB block and flush it to the device; 0 or -errno. */
int file_source_write_block(struct file_source *fs, uint64_t block, const void *buf);

#endif
