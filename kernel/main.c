/* kmain: thaw's table of contents. Each step is one call; a later step may rely on
 * everything above it. */
#include <stdbool.h>
#include <stdint.h>
#include "block/disks.h"
#include "kernel/acpi.h"
#include "kernel/boot_info.h"
#include "kernel/cmdline.h"
#include "kernel/console.h"
#include "kernel/cutpoint.h"
#include "kernel/efi.h"
#include "kernel/idt.h"
#include "kernel/layout.h"
#include "kernel/paging.h"
#include "kernel/panic.h"
#include "kernel/power.h"
#include "kernel/stop.h"
#include "block/stack.h"
#include "kernel/timer.h"
#include "mm/pmm.h"
#include "resume/resume.h"
#include "selftest/disk.h"
#include "selftest/faults.h"

void kmain(uint32_t magic, uint64_t mbi);

static struct boot_info boot_info;
static struct options options;

static const char *const mmap_type_names[] = {
	[MMAP_RAM] = "RAM", [MMAP_RESERVED] = "reserved", [MMAP_ACPI] = "ACPI data",
	[MMAP_NVS] = "ACPI NVS", [MMAP_BAD] = "bad RAM",
};

static void warn_option(const char *msg, const char *option)
{
	kprintf("cmdline: %s: \"%s\"\n", msg, option);
}

static void report_boot_warnings(const struct boot_info *bi)
{
	for (uint32_t bit = 1; bit; bit <<= 1)
		if ((bi->warnings & bit) && boot_warning_str(bit))
			kprintf("boot: %s\n", boot_warning_str(bit));
}

static void print_memory_map(const struct boot_info *bi)
{
	uint64_t ram = 0;

	for (uint32_t i = 0; i < bi->mmap_count; i++) {
		const struct mem_range *r = &bi->mmap[i];
		uint32_t t = r->type;

		if (options.loglevel >= 7 || i < 32)
			kprintf("  [mem 0x%016llx-0x%016llx] %s\n", (unsigned long long)r->base,
				(unsigned long long)(r->base + r->len - 1),
				t < 6 && mmap_type_names[t] ? mmap_type_names[t] : "other");
		if (t == MMAP_RAM)
			ram += r->len;
	}
	kprintf("boot: memory map: %u entries, %llu MiB RAM\n", bi->mmap_count,
		(unsigned long long)(ram >> 20));
}

static void print_options(const struct options *o)
{
	static const char *const on_fail_names[] = {
		[ON_FAIL_WAIT_REBOOT] = "wait", [ON_FAIL_REBOOT] = "reboot",
		[ON_FAIL_HALT] = "halt", [ON_FAIL_POWEROFF] = "poweroff",
	};

	kprintf("cmdline: resume=%s resume_offset=%llu noresume=%d loglevel=%d on_fail=%s "
		"e820=%s test_exit=%d\n", o->resume[0] ? o->resume : "(scan)",
		(unsigned long long)o->resume_offset, o->noresume, o->loglevel,
		on_fail_names[o->on_fail], o->e820 == E820_IGNORE ? "ignore" : "enforce",
		o->test_exit);
}

static void print_boot_summary(const struct boot_info *bi)
{
	static char shown[BOOT_CMDLINE_MAX];

	kprintf("boot: loaded by \"%s\"%s, information at 0x%llx, thaw at 0x%llx-0x%llx\n",
		bi->loader[0] ? bi->loader : "unknown loader", bi->from_kexec ? " (kexec)" : "",
		(unsigned long long)bi->mbi_start, (unsigned long long)thaw_image_start(),
		(unsigned long long)thaw_image_end());
	cmdline_redact(bi->cmdline, shown, sizeof(shown));   /* never echo a secret */
	kprintf("boot: command line \"%s\"\n", shown);
	if (bi->efi_system_table)
		kprintf("boot: UEFI system table at 0x%llx, %u EFI memory descriptors\n",
			(unsigned long long)bi->efi_system_table, bi->efi_mmap_count);
	print_memory_map(bi);
}

static void memory_init(const struct boot_info *bi)
{
	if (!pmm_init(bi, thaw_image_start(), thaw_image_end()))
		stop_failed(&options, "pmm: cannot manage memory; nothing can be resumed");
	paging_init(bi);
}

/* Read the last RAM frame: a page fault here means the identity map misses RAM. */
static void probe_top_of_ram(void)
{
	uint64_t last = (pmm_max_pfn() - 1) << PAGE_SHIFT;
	volatile const uint64_t *p = (volatile const uint64_t *)(uintptr_t)last;

	(void)*p;
	kprintf("paging: identity map reaches the last RAM frame at 0x%llx\n",
		(unsigned long long)last);
}

static void self_checks(void)
{
	if (!pmm_self_check())
		panic("pmm: self-check failed");
	probe_top_of_ram();
	kprintf("timer: TSC %llu MHz, %llu ms since timer start\n",
		(unsigned long long)(timer_tsc_khz() / 1000), (unsigned long long)timer_ms());
}

void kmain(uint32_t magic, uint64_t mbi)
{
	console_init_early();
	idt_init();
	kprintf("\nthaw: resumes a hibernated Linux\n");
	if (magic == MB2_BOOTLOADER_MAGIC)
		boot_info_parse(&boot_info, mbi);
	else if (magic == THAW_EFI_MAGIC)
		boot_info_from_efi(&boot_info, mbi);    /* boot/efi_stub.c, thaw.efi */
	else
		panic("not started by a Multiboot2 loader (EAX 0x%x); boot thaw with GRUB's "
		      "multiboot2 command, kexec --type multiboot2-x86 or as thaw.efi", magic);
	cmdline_parse(boot_info.cmdline, &options, warn_option);
	power_set_test_exit(options.test_exit);
	console_init(&boot_info);
	report_boot_warnings(&boot_info);
	print_boot_summary(&boot_info);
	print_options(&options);

	timer_init();
	/* Controllers the firmware left running (NVMe enabled, AHCI engines on) may
	 * write to RAM the memory map calls free: stop them before the pmm places its
	 * bitmaps and hands out frames. */
	disks_stop_firmware_dma();
	memory_init(&boot_info);
	acpi_init(&boot_info, options.acpi_rsdp);
	power_init(&boot_info);
	power_describe();
	efi_init(&boot_info);            /* UEFI variables (HibernateLocation), if booted so */
	self_checks();
	faulttest_run(&options);         /* returns unless thaw.test= names a fault test */
	cutpoint_arm(options.test);      /* thaw.test=cut:<phase>: the power-cut tests */

	/* Find the disks (unlocking LUKS, assembling LVM), then resume from the swap area
	 * holding an image. Every way out (stop, panic, exception) wipes the keys
	 * unlocking gave: power_wipe(). */
	power_set_wipe(stack_wipe_secrets);
	disks_init();
	faulttest_run_late(&options);    /* returns unless thaw.test= names late-fault/panic */
	disktest_run(&options);          /* returns unless thaw.test= names a disk test */
	resume_main(&boot_info, &options);   /* noresume: offers to discard the image */
}
