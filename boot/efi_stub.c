/* thaw.efi's entry: a UEFI application that gathers what thaw needs from the firmware
 * (command line, memory map, RSDP, GOP framebuffer, system table, early keys) into a
 * struct boot_info, puts thaw at its link address, exits boot services and enters thaw. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "kernel/uefi.h"
#include "kernel/boot_info.h"
#include "kernel/cmdline.h"
#include "resume/e820.h"
#include "thaw_efi_layout.h"    /* generated from thaw.elf: THAW_LINK_START/END, THAW_ENTRY64 */

#define PAGE_SIZE       4096ull
#define LOW_4G          0xFFFFFFFFull
#define MAP_SLACK       64      /* descriptors of headroom for allocations after sizing */
#define EBS_TRIES       8
#define PROMPT_S        30      /* as resume/resume.c's discard prompt */
#define STALL_US        10000

/* thaw_entry64 loads 4-level page tables, which a CPU in 5-level paging (CR4.LA57,
 * Intel SDM Vol. 3 §4.5) cannot take without leaving long mode; refuse up front. */
static bool firmware_uses_la57(void)
{
	uint64_t cr4;

	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	return cr4 & (1ull << 12);
}

EFIAPI efi_status efi_main(efi_handle image, struct efi_system_table *st);

/* PE payload and ELF relocation bounds (boot/efi.ld, boot/efi_payload.asm). */
extern const uint8_t thaw_payload_start[], thaw_payload_end[];
extern uint8_t __image_base[];
extern const uint64_t __rela_start[], __rela_end[];

static const struct efi_guid LOADED_IMAGE_GUID =
	{ 0x5b1b31a1, 0x9562, 0x11d2, { 0x8e, 0x3f, 0x00, 0xa0, 0xc9, 0x69, 0x72, 0x3b } };
static const struct efi_guid GOP_GUID =
	{ 0x9042a9de, 0x23dc, 0x4a38, { 0x96, 0xfb, 0x7a, 0xde, 0xd0, 0x80, 0x51, 0x6a } };
static const struct efi_guid ACPI_20_GUID =
	{ 0x8868e871, 0xe4f1, 0x11d3, { 0xbc, 0x22, 0x00, 0x80, 0xc7, 0x3c, 0x88, 0x81 } };
static const struct efi_guid ACPI_10_GUID =
	{ 0xeb9d2d30, 0x2d88, 0x11d3, { 0x9a, 0x16, 0x00, 0x90, 0x27, 0x3f, 0xc1, 0x4d } };

static const struct efi_guid GLOBAL_VARIABLE_GUID =
	{ 0x8be4df61, 0x93ca, 0x11d2, { 0xaa, 0x0d, 0x00, 0xe0, 0x98, 0x03, 0x2b, 0x8c } };

/* The one state struct: firmware handles and the buffers the exit sequence uses. */
static struct {
	efi_handle image;
	struct efi_system_table *st;
	struct efi_boot_services *bs;
	struct boot_info *bi;
	uint8_t *map;                   /* GetMemoryMap buffer */
	uint64_t map_cap;
	struct e820_efi_desc *desc;     /* E820_MAX each: conversion scratch */
	struct e820_entry *raw, *e820;
} efi;

/* R_X86_64_RELATIVE only: the stub is linked -pie at 0 (boot/efi.ld); before anything
 * else, add the address the firmware loaded it at, as the ELF dynamic loader would.
 * Runs before any pointer in .data is used; reaches its own data RIP-relatively. */
#define R_X86_64_RELATIVE 8
static void self_relocate(void)
{
	uint64_t base = (uint64_t)(uintptr_t)__image_base;

	for (const uint64_t *r = __rela_start; r + 3 <= __rela_end; r += 3) {
		if ((r[1] & 0xffffffffu) == R_X86_64_RELATIVE)
			*(uint64_t *)(uintptr_t)(base + r[0]) = base + r[2];
	}
}

static void print(const char *s)
{
	uint16_t buf[128];
	size_t n = 0;

	for (; *s; s++) {
		if (*s == '\n')
			buf[n++] = '\r';
		buf[n++] = (uint8_t)*s;
		if (n >= sizeof(buf) / sizeof(buf[0]) - 2 || !s[1]) {
			buf[n] = 0;
			efi.st->con_out->output_string(efi.st->con_out, buf);
			n = 0;
		}
	}
}

static void print_hex(uint64_t v)
{
	char s[19] = "0x";
	int n = 2;

	for (int shift = 60; shift >= 0; shift -= 4) {
		unsigned d = (v >> shift) & 0xf;
		if (d || n > 2 || shift == 0)
			s[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
	}
	s[n] = '\0';
	print(s);
}

static void print_dec(uint64_t v)
{
	char s[21];
	int n = 20;

	s[n] = '\0';
	do {
		s[--n] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	print(s + n);
}

static efi_status fail(const char *what, efi_status st)
{
	print("thaw-efi: ");
	print(what);
	if (st) {
		print(" (EFI status ");
		print_hex(st);
		print(")");
	}
	print("\n");
	return st ? st : EFI_LOAD_ERROR;
}

/* UTF-16 → ASCII; anything else becomes '?'. Stops at NUL or n code units. */
static void utf16_to_ascii(char *dst, size_t cap, const uint16_t *src, size_t n)
{
	size_t i;

	for (i = 0; i < n && i + 1 < cap && src[i]; i++)
		dst[i] = src[i] < 0x80 ? (char)src[i] : '?';
	dst[i] = '\0';
}

/* LoadOptions are UTF-16 (UEFI §9.1; systemd-boot passes an entry's "options" there).
 * The UEFI shell puts the program's own name first: drop a first word ending in .efi. */
static void read_cmdline(struct boot_info *bi)
{
	struct efi_loaded_image *li;
	char *s = bi->cmdline;
	size_t len;

	if (efi.bs->handle_protocol(efi.image, &LOADED_IMAGE_GUID, (void **)&li) != EFI_SUCCESS ||
	    !li->load_options || li->load_options_size < 2)
		return;
	utf16_to_ascii(s, sizeof(bi->cmdline), li->load_options, li->load_options_size / 2);
	if (li->load_options_size / 2 >= sizeof(bi->cmdline))
		bi->warnings |= BOOT_WARN_CMDLINE_LONG;
	len = strlen(s);
	for (size_t i = 0; i < len && s[i] != ' '; i++) {
		if (i >= 3 && (s[i + 1] == ' ' || !s[i + 1]) &&
		    (!memcmp(s + i - 3, ".efi", 4) || !memcmp(s + i - 3, ".EFI", 4))) {
			i++;
			while (s[i] == ' ')
				i++;
			memmove(s, s + i, len - i + 1);
			break;
		}
	}
}

static bool guid_eq(const struct efi_guid *a, const struct efi_guid *b)
{
	return !memcmp(a, b, sizeof(*a));
}

/* ACPI 2.0's entry first (it carries the XSDT), then 1.0's (UEFI §4.6). */
static void read_rsdp(struct boot_info *bi)
{
	const struct efi_configuration_table *t = efi.st->configuration_table;
	const uint8_t *rsdp = NULL;
	size_t len = 20;

	for (uint64_t i = 0; i < efi.st->number_of_table_entries && !rsdp; i++)
		if (guid_eq(&t[i].vendor_guid, &ACPI_20_GUID))
			rsdp = t[i].vendor_table;
	if (rsdp && rsdp[15] >= 2)
		len = 36;                       /* ACPI 6.4 §5.2.5.3: Revision >= 2 */
	for (uint64_t i = 0; i < efi.st->number_of_table_entries && !rsdp; i++)
		if (guid_eq(&t[i].vendor_guid, &ACPI_10_GUID))
			rsdp = t[i].vendor_table;
	if (!rsdp)
		return;
	memcpy(bi->rsdp, rsdp, len);
	bi->rsdp_len = (uint8_t)len;
}

/* GOP's current mode as a Multiboot2-style RGB framebuffer: 32 bpp direct colour only. */
static void read_gop(struct boot_info *bi)
{
	struct efi_gop *gop;
	const struct efi_gop_mode_info *m;

	if (efi.bs->locate_protocol(&GOP_GUID, NULL, (void **)&gop) != EFI_SUCCESS || !gop ||
	    !gop->mode || !gop->mode->info)
		return;
	m = gop->mode->info;
	if (m->pixel_format != EFI_PIXEL_RGBX8 && m->pixel_format != EFI_PIXEL_BGRX8)
		return;
	bi->fb.addr = gop->mode->frame_buffer_base;
	bi->fb.width = m->width;
	bi->fb.height = m->height;
	bi->fb.pitch = m->pixels_per_scan_line * 4;
	bi->fb.bpp = 32;
	bi->fb.type = 1;                /* RGB */
	bi->has_fb = true;
}

static void read_vendor(struct boot_info *bi)
{
	static const char prefix[] = "thaw.efi on ";
	char vendor[BOOT_LOADER_MAX - sizeof(prefix) + 1];

	vendor[0] = '\0';
	if (efi.st->firmware_vendor)
		utf16_to_ascii(vendor, sizeof(vendor), efi.st->firmware_vendor, sizeof(vendor));
	memcpy(bi->loader, prefix, sizeof(prefix));
	memcpy(bi->loader + sizeof(prefix) - 1, vendor, strlen(vendor) + 1);
}

/* UEFI §3.3 "SecureBoot": 1 when the firmware enforces image signatures. Logged so a
 * report says whether the thaw that ran was one the firmware had verified. */
static void report_secure_boot(void)
{
	uint16_t name[] = { 'S', 'e', 'c', 'u', 'r', 'e', 'B', 'o', 'o', 't', 0 };
	uint8_t on = 0;
	uint64_t size = sizeof(on);
	uint32_t attrs;

	if (efi.st->runtime_services->get_variable(name, &GLOBAL_VARIABLE_GUID, &attrs, &size,
						   &on) != EFI_SUCCESS)
		on = 0;
	print(on == 1 ? "thaw-efi: Secure Boot is on: the firmware verified thaw.efi\n"
		      : "thaw-efi: Secure Boot is off\n");
}

/* A key from the firmware's keyboard (USB included) within s seconds, or -1. */
static int wait_key(uint32_t s)
{
	struct efi_input_key k;

	for (uint64_t waited = 0; waited < (uint64_t)s * 1000000; waited += STALL_US) {
		if (efi.st->con_in->read_key_stroke(efi.st->con_in, &k) == EFI_SUCCESS)
			return k.unicode_char && k.unicode_char < 0x80 ? k.unicode_char : ' ';
		efi.bs->stall(STALL_US);
	}
	return -1;
}

static void add_key(struct boot_info *bi, int c)
{
	if (c >= 0 && bi->key_count < BOOT_KEYS_MAX)
		bi->keys[bi->key_count++] = (char)c;
}

static void append_option(struct boot_info *bi, const char *opt)
{
	size_t len = strlen(bi->cmdline), n = strlen(opt);

	if (len + n + 2 > sizeof(bi->cmdline)) {
		bi->warnings |= BOOT_WARN_CMDLINE_LONG;
		return;
	}
	if (len)
		bi->cmdline[len++] = ' ';
	memcpy(bi->cmdline + len, opt, n + 1);
}

static void ignore_warning(const char *msg, const char *option)
{
	(void)msg;
	(void)option;           /* kmain parses the same line again and reports them */
}

/* After ExitBootServices thaw reads keys only from serial and a PS/2 controller; USB
 * keyboards work only through the firmware. So the two prompts that exist are answered
 * here, before it: thaw.delay's countdown (a key cancels, then y/N discards) and
 * noresume's discard question. The answers reach thaw's prompts as typed-ahead keys
 * (boot_info.keys); the countdown, done, becomes thaw.delay=0 plus noresume if a key
 * cancelled it. The questions come before thaw knows whether there is an image. */
static void early_keys(struct boot_info *bi)
{
	struct options o;
	int c;

	cmdline_parse(bi->cmdline, &o, ignore_warning);
	if (!o.noresume && o.delay_s) {
		print("thaw-efi: resuming in ");
		print_dec(o.delay_s);
		print(" s; press any key to cancel\n");
		c = wait_key(o.delay_s);
		append_option(bi, "thaw.delay=0");
		if (c < 0)
			return;
		append_option(bi, "noresume");
		o.noresume = true;
	}
	if (o.noresume) {
		print("thaw-efi: not resuming. Discard the hibernation image, if there is one? "
		      "It can never be resumed afterwards. [y/N] (30 s)\n");
		c = wait_key(PROMPT_S);
		add_key(bi, c < 0 ? 'n' : c);
		print(c < 0 ? "thaw-efi: no answer; thaw's prompt gets 'n'\n"
			    : "thaw-efi: answer read; thaw's prompt gets it\n");
	}
}

static efi_status place_thaw(void)
{
	uint64_t addr = THAW_LINK_START;
	uint64_t pages = (THAW_LINK_END - THAW_LINK_START) / PAGE_SIZE;
	size_t len = (size_t)(thaw_payload_end - thaw_payload_start);
	efi_status s;

	/* thaw is linked at 1 MiB, not position-independent: it needs exactly there. */
	s = efi.bs->allocate_pages(EFI_ALLOCATE_ADDRESS, EFI_LOADER_CODE, pages, &addr);
	if (s != EFI_SUCCESS)
		return fail("the firmware will not give thaw its memory at its link address "
			    "(1 MiB); it is in use", s);
	memcpy((void *)(uintptr_t)THAW_LINK_START, thaw_payload_start, len);
	memset((void *)(uintptr_t)(THAW_LINK_START + len), 0, pages * PAGE_SIZE - len);
	return EFI_SUCCESS;
}

static efi_status alloc_buffers(void)
{
	uint64_t size = 0, key, dsz = 0, addr = LOW_4G;
	uint64_t bi_pages = (sizeof(struct boot_info) + PAGE_SIZE - 1) / PAGE_SIZE;
	uint32_t ver;
	efi_status s;

	/* boot_info below 4 GiB: thaw's first page tables map only that. */
	s = efi.bs->allocate_pages(EFI_ALLOCATE_MAX_ADDRESS, EFI_LOADER_DATA, bi_pages, &addr);
	if (s != EFI_SUCCESS)
		return fail("no memory below 4 GiB for the boot information", s);
	efi.bi = (struct boot_info *)(uintptr_t)addr;
	memset(efi.bi, 0, bi_pages * PAGE_SIZE);
	efi.bi->mbi_start = addr;
	efi.bi->mbi_end = addr + bi_pages * PAGE_SIZE;

	s = efi.bs->get_memory_map(&size, NULL, &key, &dsz, &ver);
	if (s != EFI_BUFFER_TOO_SMALL || dsz < sizeof(struct efi_memdesc))
		return fail("GetMemoryMap() does not report its size", s);
	efi.map_cap = size + MAP_SLACK * dsz;
	s = efi.bs->allocate_pool(EFI_LOADER_DATA, efi.map_cap, (void **)&efi.map);
	if (s == EFI_SUCCESS)
		s = efi.bs->allocate_pool(EFI_LOADER_DATA, E820_MAX * sizeof(*efi.desc),
					  (void **)&efi.desc);
	if (s == EFI_SUCCESS)
		s = efi.bs->allocate_pool(EFI_LOADER_DATA, 2 * E820_MAX * sizeof(*efi.raw),
					  (void **)&efi.raw);
	if (s != EFI_SUCCESS)
		return fail("no memory for the memory map", s);
	efi.e820 = efi.raw + E820_MAX;
	return EFI_SUCCESS;
}

/* The map as boot_info keeps it: the EFI descriptors, and the e820 table Linux's EFI
 * stub would make of them (drivers/firmware/efi/libstub/x86-stub.c setup_e820(),
 * sanitised as e820__update_table() does) — the table a Linux started by this firmware
 * hashes at hibernation. No boot services may be called here (between GetMemoryMap
 * and ExitBootServices). */
static void convert_map(struct boot_info *bi, uint64_t size, uint64_t dsz)
{
	uint64_t n = size / dsz;
	size_t r, s;

	bi->warnings &= ~(uint32_t)(BOOT_WARN_EFI_MMAP_FULL | BOOT_WARN_MMAP_FULL | BOOT_WARN_NO_MMAP);
	if (n > BOOT_EFI_MMAP_MAX) {
		bi->warnings |= BOOT_WARN_EFI_MMAP_FULL;
		n = BOOT_EFI_MMAP_MAX;
	}
	for (uint64_t i = 0; i < n; i++) {
		struct efi_memdesc d;

		memcpy(&d, efi.map + i * dsz, sizeof(d));
		bi->efi_mmap[i] = (struct efi_mem_range){ d.type, d.phys_start, d.pages, d.attribute };
		efi.desc[i] = (struct e820_efi_desc){ d.type, d.phys_start, d.pages, d.attribute };
	}
	bi->efi_mmap_count = (uint32_t)n;
	r = e820_from_efi(efi.desc, n, E820_EFI_STUB, efi.raw, E820_MAX);
	s = r == (size_t)-1 ? r : e820_sanitize(efi.raw, r, efi.e820, E820_MAX);
	bi->mmap_count = 0;
	if (s == (size_t)-1) {
		bi->warnings |= BOOT_WARN_NO_MMAP;
		return;
	}
	if (s > BOOT_MMAP_MAX) {
		bi->warnings |= BOOT_WARN_MMAP_FULL;
		s = BOOT_MMAP_MAX;
	}
	for (size_t i = 0; i < s; i++)
		bi->mmap[i] = (struct mem_range){ efi.e820[i].addr, efi.e820[i].size,
						  efi.e820[i].type };
	bi->mmap_count = (uint32_t)s;
}

/* UEFI §7.4 ExitBootServices(): a changed map key fails it with EFI_INVALID_PARAMETER;
 * then only GetMemoryMap() and ExitBootServices() may be called, so retry with them. */
static efi_status exit_boot_services(void)
{
	efi_status s = EFI_INVALID_PARAMETER;

	for (int i = 0; i < EBS_TRIES && s != EFI_SUCCESS; i++) {
		uint64_t size = efi.map_cap, key, dsz;
		uint32_t ver;

		s = efi.bs->get_memory_map(&size, efi.map, &key, &dsz, &ver);
		if (s != EFI_SUCCESS)
			return s;
		convert_map(efi.bi, size, dsz);
		s = efi.bs->exit_boot_services(efi.image, key);
	}
	return s;
}

static bool cpu_has_nx(void)
{
	uint32_t a = 0x80000000u, b, c, d;

	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "=c"(c), "=d"(d));
	if (a < 0x80000001u)
		return false;
	a = 0x80000001u;
	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "=c"(c), "=d"(d));
	return d & (1u << 20);
}

EFIAPI efi_status efi_main(efi_handle image, struct efi_system_table *st)
{
	efi_status s;

	self_relocate();
	efi.image = image;
	efi.st = st;
	efi.bs = st->boot_services;
	print("thaw-efi: thaw.efi started as a UEFI application\n");
	report_secure_boot();
	if (firmware_uses_la57())
		return fail("the firmware runs with 5-level paging; thaw.efi supports 4-level only", 0);
	if (!cpu_has_nx())
		return fail("this CPU has no NX (execute-disable); resuming Linux needs it", 0);
	s = alloc_buffers();
	if (s == EFI_SUCCESS)
		s = place_thaw();
	if (s != EFI_SUCCESS)
		return s;

	read_cmdline(efi.bi);
	read_vendor(efi.bi);
	read_rsdp(efi.bi);
	read_gop(efi.bi);
	efi.bi->efi_system_table = (uint64_t)(uintptr_t)st;
	early_keys(efi.bi);

	s = exit_boot_services();
	if (s != EFI_SUCCESS)
		return fail("ExitBootServices() failed", s);   /* the console may be gone */
	__asm__ volatile("cli");
	((void (*)(uint32_t, uint64_t))(uintptr_t)THAW_ENTRY64)(THAW_EFI_MAGIC,
								(uint64_t)(uintptr_t)efi.bi);
	for (;;)
		__asm__ volatile("hlt");
}
