/* The image's location from systemd's HibernateLocation EFI variable: read it, resolve it
 * through locate_resume() as if it were resume=UUID=… resume_offset=…, check it against
 * the image, and delete it when the resume commits. */
#ifndef THAW_EFI_LOCATION_H
#define THAW_EFI_LOCATION_H
#include <stdbool.h>
#include "image/image_info.h"
#include "resume/hibernate_location.h"
#include "resume/locate.h"

/* Read and parse the variable (UEFI runtime services, kernel/efi.c). True when it is
 * present and valid; says what it found or why it is not used ("locate: …"). */
bool efi_location_read(struct hibernate_location *hl);

/* locate_resume() on the device and offset hl names; prints which source it used. */
enum locate_err efi_location_locate(const struct hibernate_location *hl,
				    const struct options *o, const struct disk_info *devs,
				    unsigned n, struct resume_target *out);

/* The recorded fields thaw can check against the image: its kernel release. True when
 * they agree (or were not recorded); otherwise why[cap] says what differs. */
bool efi_location_matches(const struct hibernate_location *hl, const struct img_info *in,
			  char *why, unsigned cap);

/* Delete the variable (systemd-hibernate-resume does so once it has consumed it); says
 * whether it worked. A failure is not fatal: the image itself is already invalidated. */
void efi_location_delete(void);

#endif
