/* Multiboot2 information → struct boot_info, once, with bounds checks on every tag.
 * Tags are walked relative to the block start (kexec-tools places the block only
 * 4-aligned: kexec/arch/i386/kexec-mb2-x86.c multiboot2_x86_load()) and read with
 * lib/le.h, never through casts. Pure. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "kernel/acpi_tables.h"
#include "kernel/boot_info.h"
#include "kernel/multiboot2.h"
#include "lib/le.h"

#define PAGE_MASK_4K 0xfffull
#define MBI_MAX_SIZE (1u << 20) /* far above any real block; bounds a corrupt total_size */

struct tag_view {
	const uint8_t *p;       /* tag start */
	uint32_t type, size;    /* size checked to lie within the block */
};

/* Copy a NUL-terminated string of at most n bytes into dst[cap]; true if it fit. */
static bool copy_string(char *dst, size_t cap, const uint8_t *src, size_t n)
{
	size_t len = 0;

	while (len < n && src[len])
		len++;
	bool fits = len < cap;
	if (!fits)
		len = cap - 1;
	memcpy(dst, src, len);
	dst[len] = '\0';
	return fits;
}

static void add_range(struct boot_info *bi, uint64_t base, uint64_t len, uint32_t type)
{
	if (bi->mmap_count == BOOT_MMAP_MAX) {
		bi->warnings |= BOOT_WARN_MMAP_FULL;
		return;
	}
	bi->mmap[bi->mmap_count++] = (struct mem_range){ base, len, type };
}

static void parse_mmap(struct boot_info *bi, const struct tag_view *t)
{
	uint32_t esz;

	if (t->size < sizeof(struct mb2_tag_mmap))
		return;
	esz = get_le32(t->p + offsetof(struct mb2_tag_mmap, entry_size));
	/* base, length and type must all be inside an entry (spec §3.6.8). */
	if (esz < offsetof(struct mb2_mmap_entry, reserved)) {
		bi->warnings |= BOOT_WARN_BAD_ENTRY;
		return;
	}
	bi->mmap_count = 0;     /* a second map tag replaces the first */
	for (uint32_t off = sizeof(struct mb2_tag_mmap); esz <= t->size - off; off += esz) {
		const uint8_t *e = t->p + off;
		add_range(bi, get_le64(e + offsetof(struct mb2_mmap_entry, base_addr)),
			  get_le64(e + offsetof(struct mb2_mmap_entry, length)),
			  get_le32(e + offsetof(struct mb2_mmap_entry, type)));
	}
}

static void parse_efi_mmap(struct boot_info *bi, const struct tag_view *t)
{
	uint32_t dsz;

	if (t->size < sizeof(struct mb2_tag_efi_mmap))
		return;
	dsz = get_le32(t->p + offsetof(struct mb2_tag_efi_mmap, descr_size));
	if (dsz < sizeof(struct efi_memory_descriptor)) {
		bi->warnings |= BOOT_WARN_BAD_ENTRY;
		return;
	}
	bi->efi_mmap_count = 0;
	for (uint32_t off = sizeof(struct mb2_tag_efi_mmap); dsz <= t->size - off; off += dsz) {
		const uint8_t *d = t->p + off;

		if (bi->efi_mmap_count == BOOT_EFI_MMAP_MAX) {
			bi->warnings |= BOOT_WARN_EFI_MMAP_FULL;
			return;
		}
		bi->efi_mmap[bi->efi_mmap_count++] = (struct efi_mem_range){
			.type = get_le32(d + offsetof(struct efi_memory_descriptor, type)),
			.phys = get_le64(d + offsetof(struct efi_memory_descriptor, phys_start)),
			.pages = get_le64(d + offsetof(struct efi_memory_descriptor, pages)),
			.attr = get_le64(d + offsetof(struct efi_memory_descriptor, attribute)),
		};
	}
}

static void parse_module(struct boot_info *bi, const struct tag_view *t)
{
	uint64_t start, end;

	if (t->size < sizeof(struct mb2_tag_module))
		return;
	if (bi->module_count == sizeof(bi->modules) / sizeof(bi->modules[0])) {
		bi->warnings |= BOOT_WARN_MODULES_FULL;
		return;
	}
	start = get_le32(t->p + offsetof(struct mb2_tag_module, mod_start));
	end = get_le32(t->p + offsetof(struct mb2_tag_module, mod_end));
	if (end < start)
		end = start;
	bi->modules[bi->module_count].start = start & ~PAGE_MASK_4K;
	bi->modules[bi->module_count].end = (end + PAGE_MASK_4K) & ~PAGE_MASK_4K;
	bi->module_count++;
}

static void parse_framebuffer(struct boot_info *bi, const struct tag_view *t)
{
	if (t->size < offsetof(struct mb2_tag_framebuffer, reserved))
		return;
	bi->fb.addr = get_le64(t->p + offsetof(struct mb2_tag_framebuffer, addr));
	bi->fb.pitch = get_le32(t->p + offsetof(struct mb2_tag_framebuffer, pitch));
	bi->fb.width = get_le32(t->p + offsetof(struct mb2_tag_framebuffer, width));
	bi->fb.height = get_le32(t->p + offsetof(struct mb2_tag_framebuffer, height));
	bi->fb.bpp = t->p[offsetof(struct mb2_tag_framebuffer, bpp)];
	bi->fb.type = t->p[offsetof(struct mb2_tag_framebuffer, fb_type)];
	bi->has_fb = true;
}

/* Tag 15 (RSDP v2) wins over tag 14 (v1) whatever their order. */
static void parse_rsdp(struct boot_info *bi, const struct tag_view *t, bool v2)
{
	uint32_t n = t->size - sizeof(struct mb2_tag);

	if (!v2 && bi->rsdp_len > RSDP_V1_LEN)
		return;
	if (n > sizeof(bi->rsdp))
		n = sizeof(bi->rsdp);
	if (n < RSDP_V1_LEN)
		return;
	memcpy(bi->rsdp, t->p + sizeof(struct mb2_tag), n);
	bi->rsdp_len = (uint8_t)n;
	bi->acpi_rsdp = (uint64_t)(uintptr_t)bi->rsdp;
}

/* Only used when there is no memory map tag (not seen from GRUB or kexec). */
static void parse_meminfo(const struct tag_view *t, struct mem_range *out)
{
	if (t->size < sizeof(struct mb2_tag_meminfo))
		return;
	out[0] = (struct mem_range){ 0, (uint64_t)get_le32(t->p +
		offsetof(struct mb2_tag_meminfo, mem_lower)) << 10, MMAP_RAM };
	out[1] = (struct mem_range){ 1u << 20, (uint64_t)get_le32(t->p +
		offsetof(struct mb2_tag_meminfo, mem_upper)) << 10, MMAP_RAM };
}

static void parse_tag(struct boot_info *bi, const struct tag_view *t, struct mem_range *basic)
{
	const uint8_t *payload = t->p + sizeof(struct mb2_tag);
	size_t plen = t->size - sizeof(struct mb2_tag);

	switch (t->type) {
	case MB2_TAG_CMDLINE:
		if (!copy_string(bi->cmdline, sizeof(bi->cmdline), payload, plen))
			bi->warnings |= BOOT_WARN_CMDLINE_LONG;
		break;
	case MB2_TAG_LOADER_NAME:
		copy_string(bi->loader, sizeof(bi->loader), payload, plen);
		break;
	case MB2_TAG_MODULE: parse_module(bi, t); break;
	case MB2_TAG_BASIC_MEMINFO: parse_meminfo(t, basic); break;
	case MB2_TAG_MMAP: parse_mmap(bi, t); break;
	case MB2_TAG_FRAMEBUFFER: parse_framebuffer(bi, t); break;
	case MB2_TAG_EFI32_ST:
		if (plen >= 4)
			bi->efi_system_table = get_le32(payload);
		break;
	case MB2_TAG_EFI64_ST:
		if (plen >= 8)
			bi->efi_system_table = get_le64(payload);
		break;
	case MB2_TAG_ACPI_OLD: parse_rsdp(bi, t, false); break;
	case MB2_TAG_ACPI_NEW: parse_rsdp(bi, t, true); break;
	case MB2_TAG_EFI_MMAP: parse_efi_mmap(bi, t); break;
	default: break;         /* unknown tags are skipped by their size */
	}
}

/* kexec-tools passes "<image path> <args>" (kexec/arch/i386/kexec-mb2-x86.c,
 * multiboot2_x86_load(): the image name is prepended): drop the path. */
static void strip_kexec_path(struct boot_info *bi)
{
	char *s = bi->cmdline;
	size_t i = 0, len = strlen(s);

	while (s[i] == ' ')
		i++;
	while (s[i] && s[i] != ' ')
		i++;
	while (s[i] == ' ')
		i++;
	memmove(s, s + i, len - i + 1);
}

static void walk_tags(struct boot_info *bi, const uint8_t *mbi, uint32_t total)
{
	struct mem_range basic[2] = { { 0, 0, 0 }, { 0, 0, 0 } };
	uint32_t off = sizeof(struct mb2_info_header);
	bool saw_mmap = false;

	while (off <= total - sizeof(struct mb2_tag)) {
		struct tag_view t = { mbi + off, get_le32(mbi + off + offsetof(struct mb2_tag, type)),
				      get_le32(mbi + off + offsetof(struct mb2_tag, size)) };

		if (t.size < sizeof(struct mb2_tag) || t.size > total - off) {
			bi->warnings |= BOOT_WARN_TRUNCATED;
			break;
		}
		if (t.type == MB2_TAG_END)
			break;
		saw_mmap |= t.type == MB2_TAG_MMAP;
		parse_tag(bi, &t, basic);
		if (t.size > UINT32_MAX - (MB2_TAG_ALIGN - 1))
			break;
		off += (t.size + MB2_TAG_ALIGN - 1) & ~(uint32_t)(MB2_TAG_ALIGN - 1);
	}
	if (!saw_mmap) {
		bi->warnings |= BOOT_WARN_NO_MMAP;
		for (int i = 0; i < 2; i++)
			if (basic[i].len)
				add_range(bi, basic[i].base, basic[i].len, basic[i].type);
	}
}

void boot_info_parse(struct boot_info *bi, uint64_t mbi)
{
	const uint8_t *p = (const uint8_t *)(uintptr_t)mbi;
	uint32_t total = get_le32(p + offsetof(struct mb2_info_header, total_size));

	memset(bi, 0, sizeof(*bi));
	if (total < sizeof(struct mb2_info_header) || total > MBI_MAX_SIZE) {
		bi->warnings |= BOOT_WARN_TRUNCATED | BOOT_WARN_NO_MMAP;
		total = sizeof(struct mb2_info_header);
	}
	walk_tags(bi, p, total);

	bi->from_kexec = strncmp(bi->loader, "kexec", 5) == 0;
	if (bi->from_kexec)
		strip_kexec_path(bi);
	bi->mbi_start = mbi & ~PAGE_MASK_4K;
	bi->mbi_end = (mbi + total + PAGE_MASK_4K) & ~PAGE_MASK_4K;
}

void boot_info_from_efi(struct boot_info *bi, uint64_t addr)
{
	memcpy(bi, (const void *)(uintptr_t)addr, sizeof(*bi));
	/* The stub is built from the same header; clamp anyway, nothing below trusts it. */
	if (bi->mmap_count > BOOT_MMAP_MAX)
		bi->mmap_count = BOOT_MMAP_MAX;
	if (bi->efi_mmap_count > BOOT_EFI_MMAP_MAX)
		bi->efi_mmap_count = BOOT_EFI_MMAP_MAX;
	if (bi->module_count > sizeof(bi->modules) / sizeof(bi->modules[0]))
		bi->module_count = 0;
	if (bi->key_count > BOOT_KEYS_MAX)
		bi->key_count = BOOT_KEYS_MAX;
	if (bi->rsdp_len > sizeof(bi->rsdp))
		bi->rsdp_len = 0;
	bi->acpi_rsdp = bi->rsdp_len ? (uint64_t)(uintptr_t)bi->rsdp : 0;
	bi->cmdline[BOOT_CMDLINE_MAX - 1] = '\0';
	bi->loader[BOOT_LOADER_MAX - 1] = '\0';
	bi->from_kexec = false;
}

const char *boot_warning_str(uint32_t bit)
{
	switch (bit) {
	case BOOT_WARN_TRUNCATED: return "information block malformed; parsed up to the bad tag";
	case BOOT_WARN_NO_MMAP: return "no memory map from the loader";
	case BOOT_WARN_MMAP_FULL: return "memory map has more entries than thaw keeps (256)";
	case BOOT_WARN_EFI_MMAP_FULL: return "EFI memory map has more descriptors than thaw keeps (512)";
	case BOOT_WARN_CMDLINE_LONG: return "command line longer than 1023 bytes, cut";
	case BOOT_WARN_MODULES_FULL: return "more than 8 modules; extra ones not protected";
	case BOOT_WARN_BAD_ENTRY: return "memory map entry size too small; map ignored";
	default: return NULL;
	}
}
