/* UEFI runtime services from a Multiboot2 kernel: GetVariable and SetVariable through
 * the system table GRUB passed (tag 12), in physical mode (no SetVirtualAddressMap). */
#ifndef THAW_EFI_H
#define THAW_EFI_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "kernel/uefi.h"

struct boot_info;

/* EFI_GUID (UEFI 2.10 §Appendix A): Data1..Data3 little-endian, Data4 bytes as written. */

/* Text for an EFI_STATUS ("not found"); "EFI error" for codes thaw does not name. */
const char *efi_status_str(uint64_t status);

/* Check the system table and its runtime services table and map every
 * EFI_MEMORY_RUNTIME region; false (with a line saying why) when there is no usable
 * UEFI runtime. Call once, after paging_init(), on the boot CPU. */
bool efi_init(const struct boot_info *bi);

/* True once efi_init() succeeded. */
bool efi_available(void);

/* GetVariable (UEFI 2.10 §8.2.1): name as UTF-16 with NUL; *size in: room in buf, out:
 * the data's size. EFI_UNSUPPORTED when efi_init() did not succeed. */
uint64_t efi_get_variable(const uint16_t *name, const struct efi_guid *guid,
			  uint32_t *attr, uint64_t *size, void *buf);

/* SetVariable with DataSize 0: deletes the variable (UEFI 2.10 §8.2.1). */
uint64_t efi_delete_variable(const uint16_t *name, const struct efi_guid *guid,
			     uint32_t attr);

#endif
