/* SCSI-disk names (sda, sdb, …, sdz, sdaa, …) shared by every driver whose disks
 * Linux's sd driver names: AHCI/SATA first, then virtio-scsi, one counter for all. */
#ifndef THAW_SDNAME_H
#define THAW_SDNAME_H
#include <stdbool.h>
#include <stddef.h>

/* Write the next free name into out (cap ≥ 8); false when out is too small. */
bool sdname_next(char *out, size_t cap);

/* The name for index i (0: "sda"), like Linux sd_format_disk_name(). */
void sdname_format(char *out, size_t cap, unsigned index);

#endif
