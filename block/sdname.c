/* The one sd-letter counter: drivers take names in the order they attach disks, so
 * the order of their DISK_DRIVER() `order` values decides who gets sda. */
#include <stdbool.h>
#include <stddef.h>
#include "block/sdname.h"

static struct {
	unsigned next;
} sdname;

/* Bijective base 26 ("z" + 1 = "aa"), as Linux drivers/scsi/sd.c sd_format_disk_name(). */
void sdname_format(char *out, size_t cap, unsigned index)
{
	char tmp[8];
	size_t n = 0, o = 0;

	do {
		tmp[n++] = (char)('a' + index % 26);
		index /= 26;
	} while (index-- > 0 && n < sizeof(tmp));
	if (cap < n + 3) {
		if (cap)
			out[0] = '\0';
		return;
	}
	out[o++] = 's';
	out[o++] = 'd';
	while (n)
		out[o++] = tmp[--n];
	out[o] = '\0';
}

bool sdname_next(char *out, size_t cap)
{
	if (cap < 8)
		return false;
	sdname_format(out, cap, sdname.next++);
	return true;
}
