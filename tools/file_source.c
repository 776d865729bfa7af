/* Block source over a file or block device: pread() of whole 4 KiB blocks; the size of
 * a block device comes from lseek(SEEK_END). */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include "image/swsusp_format.h"
#include "tools/file_source.h"

static enum img_err fs_read(void *ctx, uint64_t block, uint32_t count, void *buf)
{
	struct file_source *fs = ctx;
	size_t want = (size_t)count * SWSUSP_PAGE_SIZE, done = 0;
	off_t at = (off_t)(block * SWSUSP_PAGE_SIZE);

	if (block >= fs->src.blocks || count > fs->src.blocks - block)
		return IMG_EIO;
	while (done < want) {
		ssize_t n = pread(fs->fd, (char *)buf + done, want - done, at + (off_t)done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return IMG_EIO;
		done += (size_t)n;
	}
	return IMG_OK;
}

int file_source_open(struct file_source *fs, const char *path, bool writable)
{
	off_t end;

	memset(fs, 0, sizeof(*fs));
	fs->fd = open(path, (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC);
	if (fs->fd < 0)
		return -errno;
	end = lseek(fs->fd, 0, SEEK_END);
	if (end < 0) {
		int e = -errno;

		close(fs->fd);
		return e;
	}
	fs->bytes = (uint64_t)end;
	fs->src.read = fs_read;
	fs->src.ctx = fs;
	fs->src.blocks = fs->bytes / SWSUSP_PAGE_SIZE;
	return 0;
}

void file_source_close(struct file_source *fs)
{
	if (fs->fd >= 0)
		close(fs->fd);
	fs->fd = -1;
}

int file_source_write_block(struct file_source *fs, uint64_t block, const void *buf)
{
	ssize_t n = pwrite(fs->fd, buf, SWSUSP_PAGE_SIZE, (off_t)(block * SWSUSP_PAGE_SIZE));

	if (n != (ssize_t)SWSUSP_PAGE_SIZE)
		return n < 0 ? -errno : -EIO;
	return fsync(fs->fd) ? -errno : 0;
}
