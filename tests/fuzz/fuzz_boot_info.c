/* Fuzz target: kernel/boot_info.c over an arbitrary Multiboot2 information block. The
 * input is the block; its total_size field is forced to the input length (the loader's
 * promise the parser relies on), and the block is placed 4 bytes past an 8-aligned
 * address, as kexec-tools places it, ending where its allocation ends.
 * Oracle: no out-of-bounds access or UB (ASan/UBSan); every count stays within its
 * array; strings are NUL-terminated inside their buffers; the recorded information
 * frames cover the block; a kexec-named loader never leaves a leading space. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "kernel/boot_info.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct boot_info bi;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf;
	uint32_t total;

	if (size < 8 || size > (1u << 20))
		return 0;
	/* malloc is 16-aligned: +4 gives kexec's alignment, and the block ends exactly
	 * where the allocation does, so ASan sees any read past it. */
	buf = malloc(size + 4);
	if (!buf)
		abort();
	memcpy(buf + 4, data, size);
	total = (uint32_t)size;
	memcpy(buf + 4, &total, 4);
	boot_info_parse(&bi, (uint64_t)(uintptr_t)(buf + 4));

	if (bi.mmap_count > BOOT_MMAP_MAX || bi.efi_mmap_count > BOOT_EFI_MMAP_MAX ||
	    bi.module_count > 8 || bi.rsdp_len > sizeof(bi.rsdp))
		abort();
	if (strnlen(bi.cmdline, sizeof(bi.cmdline)) == sizeof(bi.cmdline) ||
	    strnlen(bi.loader, sizeof(bi.loader)) == sizeof(bi.loader))
		abort();
	if (bi.mbi_start > (uintptr_t)(buf + 4) || bi.mbi_end < (uintptr_t)(buf + 4) + size)
		abort();
	if (bi.from_kexec && bi.cmdline[0] == ' ')
		abort();
	for (uint32_t i = 0; i < bi.module_count; i++)
		if (bi.modules[i].start > bi.modules[i].end || bi.modules[i].start % 4096)
			abort();
	free(buf);
	return 0;
}
