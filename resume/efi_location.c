/* HibernateLocation from thaw's side: systemd writes it at every EFI-booted hibernation
 * (src/sleep/sleep.c) and systemd-hibernate-resume consumes and deletes it
 * (src/hibernate-resume/); thaw does the same, deleting it only when it commits. */
#include "resume/efi_location.h"

#include "kernel/console.h"
#include "kernel/efi.h"
#include "kernel/format.h"

/* 8cf2644b-4b0b-428f-9387-6d876050dc67: systemd's EFI_VENDOR_SYSTEMD. */
static const struct efi_guid systemd_vendor = {
	0x8cf2644b, 0x4b0b, 0x428f, { 0x93, 0x87, 0x6d, 0x87, 0x60, 0x50, 0xdc, 0x67 }
};

static struct {
	uint8_t data[HIBLOC_DATA_MAX];
	uint16_t name[sizeof(HIBLOC_NAME)];
} loc;

static const uint16_t *name16(void)
{
	for (unsigned i = 0; i < sizeof(HIBLOC_NAME); i++)
		loc.name[i] = (uint8_t)HIBLOC_NAME[i];
	return loc.name;
}

bool efi_location_read(struct hibernate_location *hl)
{
	uint64_t size = sizeof(loc.data), st;
	uint32_t attr = 0;
	enum hibloc_err e;

	if (!efi_available())
		return false;
	st = efi_get_variable(name16(), &systemd_vendor, &attr, &size, loc.data);
	if (st == EFI_NOT_FOUND) {
		kprintf("locate: no HibernateLocation EFI variable (systemd)\n");
		return false;
	}
	if (st != EFI_SUCCESS) {
		kprintf("locate: cannot read the HibernateLocation EFI variable: %s (0x%llx)\n",
			efi_status_str(st), (unsigned long long)st);
		return false;
	}
	e = hibloc_parse(loc.data, size < sizeof(loc.data) ? size : sizeof(loc.data), hl);
	if (e != HIBLOC_OK) {
		kprintf("locate: HibernateLocation EFI variable ignored: %s\n", hibloc_strerror(e));
		return false;
	}
	return true;
}

enum locate_err efi_location_locate(const struct hibernate_location *hl,
				    const struct options *o, const struct disk_info *devs,
				    unsigned n, struct resume_target *out)
{
	struct options via = *o;

	ksnprintf(via.resume, sizeof(via.resume), "UUID=%s", hl->uuid);
	via.resume_offset = hl->offset;
	kprintf("locate: resume from HibernateLocation (systemd): UUID=%s offset=%llu%s%s\n",
		hl->uuid, (unsigned long long)hl->offset,
		hl->has & HIBLOC_HAS_KERNEL ? " kernel=" : "",
		hl->has & HIBLOC_HAS_KERNEL ? hl->kernel_version : "");
	return locate_resume(&via, devs, n, out);
}

void efi_location_delete(void)
{
	uint64_t st = efi_delete_variable(name16(), &systemd_vendor, EFI_VARIABLE_NON_VOLATILE |
					  EFI_VARIABLE_BOOTSERVICE_ACCESS |
					  EFI_VARIABLE_RUNTIME_ACCESS);

	if (st == EFI_SUCCESS)
		kprintf("efi: HibernateLocation deleted\n");
	else
		kprintf("efi: could not delete HibernateLocation: %s (0x%llx); systemd's "
			"hibernate-clear service removes a stale one\n", efi_status_str(st),
			(unsigned long long)st);
}
