/* UEFI runtime services in physical mode: the system table GRUB hands over (Multiboot2
 * tag 12) stays valid after ExitBootServices because the firmware's runtime regions are
 * reserved in the memory map and thaw never calls SetVirtualAddressMap (UEFI 2.10 §8). */
#include "kernel/efi.h"

#include <stddef.h>
#include "kernel/boot_info.h"
#include "kernel/console.h"
#include "kernel/paging.h"
#include "kernel/x86.h"

#define LOW_4G                       0x100000000ull

static struct {
	const struct efi_runtime_services *rt;
} efi;

const char *efi_status_str(uint64_t status)
{
	switch (status) {
	case EFI_SUCCESS:            return "success";
	case EFI_INVALID_PARAMETER:  return "invalid parameter";
	case EFI_UNSUPPORTED:        return "unsupported";
	case EFI_BUFFER_TOO_SMALL:   return "buffer too small";
	case EFI_DEVICE_ERROR:       return "device error";
	case EFI_WRITE_PROTECTED:    return "write protected";
	case EFI_SECURITY_VIOLATION: return "security violation";
	case EFI_NOT_FOUND:          return "not found";
	}
	return "EFI error";
}

/* The firmware may use SSE (UEFI 2.10 §2.3.4: the FPU and SSE are enabled for the
 * callee); thaw runs with them off, so enable them before the first call. */
static void enable_sse(void)
{
	uint64_t cr0, cr4;

	__asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
	cr0 = (cr0 & ~(uint64_t)(CR0_EM | CR0_TS)) | CR0_MP;
	__asm__ volatile("mov %0, %%cr0" : : "r"(cr0));
	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	cr4 |= CR4_OSFXSR | CR4_OSXMMEXCPT;
	__asm__ volatile("mov %0, %%cr4" : : "r"(cr4));
	__asm__ volatile("fninit");
}

/* boot/entry.asm maps [0, 4 GiB); runtime regions above it are mapped here. */
static bool map_runtime(const struct boot_info *bi)
{
	for (uint32_t i = 0; i < bi->efi_mmap_count; i++) {
		const struct efi_mem_range *r = &bi->efi_mmap[i];
		uint64_t end = r->phys + r->pages * 4096;

		if (!(r->attr & EFI_MEMORY_RUNTIME) || end <= LOW_4G)
			continue;
		if (!paging_map_mmio(r->phys, r->pages * 4096))
			return false;
	}
	return true;
}

bool efi_init(const struct boot_info *bi)
{
	const struct efi_system_table *st;
	const struct efi_runtime_services *rt;
	uint64_t rt_phys;

	efi.rt = NULL;
	if (!bi->efi_system_table)
		return false;
	if (bi->from_kexec) {
		/* Linux switched the runtime services to its virtual addresses
		 * (SetVirtualAddressMap may be called once per boot, UEFI 2.10 §8.4). */
		kprintf("efi: started by kexec, after Linux remapped the runtime services; not "
			"using UEFI variables\n");
		return false;
	}
	if (!map_runtime(bi) || (bi->efi_system_table >= LOW_4G &&
				 !paging_map_mmio(bi->efi_system_table & ~0xfffull, 8192))) {
		kprintf("efi: cannot map the firmware's runtime regions; not using UEFI variables\n");
		return false;
	}
	st = (const struct efi_system_table *)(uintptr_t)bi->efi_system_table;
	if (st->hdr.signature != EFI_SYSTEM_TABLE_SIGNATURE || !st->runtime_services) {
		kprintf("efi: no EFI system table at 0x%llx; not using UEFI variables\n",
			(unsigned long long)bi->efi_system_table);
		return false;
	}
	rt_phys = (uintptr_t)st->runtime_services;
	if (rt_phys >= LOW_4G && !paging_map_mmio(rt_phys & ~0xfffull, 8192))
		return false;
	rt = st->runtime_services;
	if (rt->hdr.signature != EFI_RUNTIME_SERVICES_SIGNATURE || !rt->get_variable ||
	    !rt->set_variable) {
		kprintf("efi: runtime services table at 0x%llx is not valid; not using UEFI "
			"variables\n", (unsigned long long)rt_phys);
		return false;
	}
	enable_sse();
	efi.rt = rt;
	kprintf("efi: runtime services at 0x%llx (UEFI %u.%u)\n",
		(unsigned long long)rt_phys, st->hdr.revision >> 16,
		(st->hdr.revision & 0xffff) / 10);
	return true;
}

bool efi_available(void)
{
	return efi.rt != NULL;
}

__attribute__((force_align_arg_pointer))
uint64_t efi_get_variable(const uint16_t *name, const struct efi_guid *guid,
			  uint32_t *attr, uint64_t *size, void *buf)
{
	if (!efi.rt)
		return EFI_UNSUPPORTED;
	return efi.rt->get_variable(name, guid, attr, size, buf);
}

__attribute__((force_align_arg_pointer))
uint64_t efi_delete_variable(const uint16_t *name, const struct efi_guid *guid,
			     uint32_t attr)
{
	if (!efi.rt)
		return EFI_UNSUPPORTED;
	return efi.rt->set_variable(name, guid, attr, 0, NULL);
}
