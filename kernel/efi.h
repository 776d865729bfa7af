/* UEFI runtime services from a Multiboot2 kernel: GetVariable and SetVariable through
 * the system table GRUB passed (tag 12), in physical mode (no SetVirtualAddressMap). */
#ifndef THAW_EFI_H
#define THAW_EFI_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct boot_info;

/* EFI_GUID (UEFI 2.10 §Appendix A): Data1..Data3 little-endian, Data4 bytes as written. */
struct efi_guid {
	uint32_t data1;		/*  0 */
	uint16_t data2;		/*  4 */
	uint16_t data3;		/*  6 */
	uint8_t data4[8];	/*  8 */
};
_Static_assert(sizeof(struct efi_guid) == 16, "EFI_GUID size");

/* EFI_STATUS codes thaw names (UEFI 2.10 Appendix D); errors have bit 63 set. */
#define EFI_SUCCESS           0x0ull
#define EFI_ERROR_BIT         (1ull << 63)
#define EFI_INVALID_PARAMETER (EFI_ERROR_BIT | 2)
#define EFI_UNSUPPORTED       (EFI_ERROR_BIT | 3)
#define EFI_BUFFER_TOO_SMALL  (EFI_ERROR_BIT | 5)
#define EFI_DEVICE_ERROR      (EFI_ERROR_BIT | 7)
#define EFI_WRITE_PROTECTED   (EFI_ERROR_BIT | 8)
#define EFI_SECURITY_VIOLATION (EFI_ERROR_BIT | 26)
#define EFI_NOT_FOUND         (EFI_ERROR_BIT | 14)

/* Variable attributes (UEFI 2.10 §8.2.1). */
#define EFI_VARIABLE_NON_VOLATILE       0x1u
#define EFI_VARIABLE_BOOTSERVICE_ACCESS 0x2u
#define EFI_VARIABLE_RUNTIME_ACCESS     0x4u

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
