/* systemd's HibernateLocation EFI variable: UTF-16LE JSON naming the device (by UUID)
 * and page offset of the last hibernation image (systemd src/sleep/sleep.c
 * write_efi_hibernate_location()). Pure: parses bytes the caller read. */
#ifndef THAW_HIBERNATE_LOCATION_H
#define THAW_HIBERNATE_LOCATION_H
#include <stddef.h>
#include <stdint.h>

/* Vendor GUID 8cf2644b-4b0b-428f-9387-6d876050dc67 (systemd's EFI_VENDOR_SYSTEMD) as
 * EFI_GUID bytes (Data1..Data3 little-endian), and the variable's name. */
#define HIBLOC_GUID_BYTES { 0x4b, 0x64, 0xf2, 0x8c, 0x0b, 0x4b, 0x8f, 0x42, \
			    0x93, 0x87, 0x6d, 0x87, 0x60, 0x50, 0xdc, 0x67 }
#define HIBLOC_NAME "HibernateLocation"
#define HIBLOC_DATA_MAX 4096   /* far more than the JSON systemd writes (~300 bytes) */
#define HIBLOC_TEXT_MAX 65     /* uts.release and os-release values thaw keeps, with NUL */
#define HIBLOC_UUID_MAX 64     /* ID_FS_UUID text, with NUL */

enum hibloc_err {
	HIBLOC_OK = 0,
	HIBLOC_EUTF16,       /* odd length, or no UTF-16 NUL within the data */
	HIBLOC_ESYNTAX,      /* not one JSON object */
	HIBLOC_EDEPTH,       /* nested deeper than thaw follows */
	HIBLOC_EDUP,         /* a field given twice */
	HIBLOC_ETYPE,        /* a known field of the wrong type (e.g. offset not unsigned) */
	HIBLOC_ELONG,        /* a kept string is longer than thaw keeps */
	HIBLOC_ENOUUID,      /* no "uuid" */
	HIBLOC_ENOOFFSET,    /* no "offset" */
};

const char *hibloc_strerror(enum hibloc_err e);

/* Which optional fields were present. */
enum {
	HIBLOC_HAS_KERNEL = 1u << 0,
	HIBLOC_HAS_OS_ID = 1u << 1,
	HIBLOC_HAS_OS_VERSION_ID = 1u << 2,
	HIBLOC_HAS_IMAGE_ID = 1u << 3,
	HIBLOC_HAS_IMAGE_VERSION = 1u << 4,
};

struct hibernate_location {
	char uuid[HIBLOC_UUID_MAX];                 /* "uuid": swap area's or filesystem's */
	uint64_t offset;                            /* "offset": header page (4 KiB units) */
	char kernel_version[HIBLOC_TEXT_MAX];       /* "kernelVersion": uname -r */
	char os_id[HIBLOC_TEXT_MAX];                /* "osReleaseId" */
	char os_version_id[HIBLOC_TEXT_MAX];        /* "osReleaseVersionId" */
	char image_id[HIBLOC_TEXT_MAX];             /* "osReleaseImageId" */
	char image_version[HIBLOC_TEXT_MAX];        /* "osReleaseImageVersion" */
	uint32_t has;                               /* HIBLOC_HAS_* */
};

/* Parse the variable's data[0..len): UTF-16LE, a NUL code unit ending the text, one JSON
 * object. "uuid" (string) and "offset" (unsigned integer) are required; the optional
 * strings above are kept; other keys of any type are skipped (systemd allows extensions).
 * Characters outside ASCII in kept strings become '?'. Never reads past data[len). */
enum hibloc_err hibloc_parse(const uint8_t *data, size_t len, struct hibernate_location *out);

#endif
