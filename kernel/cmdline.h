/* The command line in Linux's style: space-separated `key=value` and bare flags,
 * double quotes around values with spaces. Unknown options are reported, never fatal. */
#ifndef THAW_CMDLINE_H
#define THAW_CMDLINE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum on_fail { ON_FAIL_WAIT_REBOOT, ON_FAIL_REBOOT, ON_FAIL_HALT, ON_FAIL_POWEROFF };
enum e820_policy { E820_ENFORCE, E820_IGNORE };

#define CMDLINE_SMP_ALL 0xffffffffu  /* thaw.smp unset: every CPU the MADT lists */
#define CMDLINE_SMP_MAX 4096u        /* largest thaw.smp= accepted */

struct options {
	char resume[128];            /* resume=   (empty: scan) */
	uint64_t resume_offset;      /* resume_offset= in 4 KiB pages */
	bool noresume;
	int loglevel;                /* loglevel= (default 4) */
	enum on_fail on_fail;        /* thaw.on_fail=reboot|halt|poweroff */
	enum e820_policy e820;       /* thaw.e820=ignore */
	uint32_t e820_crc;           /* thaw.e820_crc=0x...: the firmware map's checksum (kexec) */
	bool e820_crc_set;
	uint32_t delay_s;            /* thaw.delay=<s> */
	uint32_t smp_max;            /* thaw.smp=<n>: CPUs to use, BSP included (0, 1: BSP
				      * alone); CMDLINE_SMP_ALL by default */
	bool test_exit;              /* thaw.test_exit: end through isa-debug-exit (tests) */
	uint64_t acpi_rsdp;          /* acpi_rsdp= (kexec) */
	char test[32];               /* thaw.test=<name>: run a built-in self-test */
};

/* Parse cmdline into opts (defaults first). Writes a warning for each unknown or
 * malformed option through warn(); returns the number of such warnings. */
int cmdline_parse(const char *cmdline, struct options *opts,
		  void (*warn)(const char *msg, const char *option));

/* cmdline for printing, into out (cap bytes, always terminated, cut short if it does
 * not fit): the same text with the value of every secret option (thaw.luks_key=)
 * replaced by CMDLINE_HIDDEN. */
#define CMDLINE_HIDDEN "(hidden)"
void cmdline_redact(const char *cmdline, char *out, size_t cap);

#endif
