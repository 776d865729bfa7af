/* The image's location from systemd's HibernateLocation EFI variable: read it, resolve it
 * through locate_resume() as if it were resume=UUID=… resume_offset=…, and delete it when
 * the resume commits. Finding the image at that device and offset is the check: the
 * variable's other fields (kernelVersion, os-release IDs) have no counterpart in an
 * x86_64 image, whose swsusp_info carries no utsname (Linux kernel/power/snapshot.c
 * init_header() fills it only without CONFIG_ARCH_HIBERNATION_HEADER). */
#ifndef THAW_EFI_LOCATION_H
#define THAW_EFI_LOCATION_H
#include <stdbool.h>
#include "resume/hibernate_location.h"
#include "resume/locate.h"

/* Read and parse the variable (UEFI runtime services, kernel/efi.c). True when it is
 * present and valid; says what it found or why it is not used ("locate: …"). */
bool efi_location_read(struct hibernate_location *hl);

/* locate_resume() on the device and offset hl names; prints which source it used. */
enum locate_err efi_location_locate(const struct hibernate_location *hl,
				    const struct options *o, const struct disk_info *devs,
				    unsigned n, struct resume_target *out);

/* Delete the variable (systemd-hibernate-resume does so once it has consumed it); says
 * whether it worked. A failure is not fatal: the image itself is already invalidated. */
void efi_location_delete(void);

#endif
