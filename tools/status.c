/* thawctl status: on the running system, whether the next hibernation will resume through
 * thaw, one check per line with its verdict. Paths are read under $THAWCTL_SYSROOT (tests
 * point it at a fake tree). */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "block/swaparea.h"
#include "block/uuid.h"
#include "tools/status.h"

#define EFIVARS "/sys/firmware/efi/efivars"
#define GLOBAL_GUID "8be4df61-93ca-11d2-aa0d-00e098032b8c"     /* EFI_GLOBAL_VARIABLE */
#define SYSTEMD_GUID "8cf2644b-4b0b-428f-9387-6d876050dc67"    /* EFI_VENDOR_SYSTEMD */
#define HIBLOC_SYSTEMD 254   /* first systemd that writes HibernateLocation (sleep.c) */

enum verdict { V_OK, V_WARN, V_FAIL, V_INFO };

/* What the checks learnt that later checks use. */
static struct {
	unsigned failed;
	bool uefi;
	char swap_path[512];     /* highest-priority active swap area */
	bool swap_is_file;
	uint64_t swap_free_kib;
	char grub_resume[160];   /* resume= in the GRUB entry, if found */
} st;

static const char *root(void)
{
	const char *r = getenv("THAWCTL_SYSROOT");

	return r ? r : "";
}

static void path_in_root(char *out, size_t cap, const char *path)
{
	snprintf(out, cap, "%s%s", root(), path);
}

static bool exists(const char *path)
{
	char p[1024];
	struct stat sb;

	path_in_root(p, sizeof(p), path);
	return stat(p, &sb) == 0;
}

__attribute__((format(printf, 3, 4)))
static void report(enum verdict v, const char *what, const char *fmt, ...)
{
	static const char *const names[] = { "ok", "warn", "FAIL", "info" };
	va_list ap;

	if (v == V_FAIL)
		st.failed++;
	printf("%-4s  %-18s ", names[v], what);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static void check_thaw(void)
{
	static const char *const efi[] = {
		"/boot/efi/EFI/thaw/thaw.efi", "/efi/EFI/thaw/thaw.efi", "/boot/thaw.efi",
	};

	if (exists("/boot/thaw.elf")) {
		report(V_OK, "thaw", "/boot/thaw.elf (GRUB multiboot2)");
		return;
	}
	for (size_t i = 0; i < sizeof(efi) / sizeof(efi[0]); i++)
		if (exists(efi[i])) {
			report(V_OK, "thaw", "%s (EFI application)", efi[i]);
			return;
		}
	report(V_FAIL, "thaw", "neither /boot/thaw.elf nor thaw.efi is installed "
	       "(reinstall the thaw package, or make install)");
}

/* The menu entry 42_thaw writes, and the resume= it carries. */
static void check_grub_entry(void)
{
	char p[1024], line[1024];
	bool in_entry = false, found = false;
	FILE *f;

	path_in_root(p, sizeof(p), "/boot/grub/grub.cfg");
	f = fopen(p, "r");
	if (!f) {
		report(V_FAIL, "GRUB entry", "no /boot/grub/grub.cfg: thaw is booted through "
		       "GRUB's one-shot entry");
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		char *r;

		if (strstr(line, "menuentry") && strstr(line, "--id thaw"))
			in_entry = found = true;
		else if (strstr(line, "menuentry"))
			in_entry = false;
		if (in_entry && strstr(line, "multiboot2") && (r = strstr(line, " resume=")) &&
		    !st.grub_resume[0])
			sscanf(r + 8, "%159s", st.grub_resume);
	}
	fclose(f);
	if (found)
		report(V_OK, "GRUB entry", "'Resume hibernated system (thaw)' in /boot/grub/grub.cfg%s%s",
		       st.grub_resume[0] ? ", resume=" : "", st.grub_resume);
	else
		report(V_FAIL, "GRUB entry", "no thaw entry in /boot/grub/grub.cfg (run update-grub)");
}

static void check_hook(void)
{
	static const char *const hooks[] = {
		"/usr/lib/systemd/system-sleep/thaw", "/lib/systemd/system-sleep/thaw",
	};
	char p[1024], line[512], target[512];

	for (size_t i = 0; i < sizeof(hooks) / sizeof(hooks[0]); i++) {
		FILE *f;
		bool ok = true;

		path_in_root(p, sizeof(p), hooks[i]);
		f = fopen(p, "r");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, " exec %511s", target) == 1 && !exists(target))
				ok = false;
		fclose(f);
		if (!ok) {
			report(V_FAIL, "sleep hook", "%s runs %s, which is missing", hooks[i], target);
			return;
		}
		report(access(p, X_OK) ? V_FAIL : V_OK, "sleep hook", "%s%s", hooks[i],
		       access(p, X_OK) ? " is not executable" : " arms GRUB's one-shot entry");
		return;
	}
	report(V_FAIL, "sleep hook", "no systemd-sleep hook: GRUB will not boot thaw after "
	       "systemctl hibernate");
}

/* /proc/swaps: the area with the highest priority, and the free space of all. */
static void check_swap(void)
{
	char p[1024], line[1024], name[512], type[32];
	long long size, used, prio, best = -(1LL << 40);
	unsigned n = 0;
	FILE *f;

	path_in_root(p, sizeof(p), "/proc/swaps");
	f = fopen(p, "r");
	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%511s %31s %lld %lld %lld", name, type, &size, &used, &prio) != 5)
			continue;
		n++;
		st.swap_free_kib += (uint64_t)(size - used);
		if (prio > best) {
			best = prio;
			snprintf(st.swap_path, sizeof(st.swap_path), "%s", name);
			st.swap_is_file = !strcmp(type, "file");
		}
	}
	if (f)
		fclose(f);
	if (!n)
		report(V_FAIL, "swap", "no active swap area: Linux has nowhere to write the image");
	else
		report(V_OK, "swap", "%u active, %" PRIu64 " MiB free; image goes to %s (%s)", n,
		       st.swap_free_kib / 1024, st.swap_path, st.swap_is_file ? "file" : "partition");
}

static bool read_u64(const char *path, const char *key, uint64_t *v)
{
	char p[1024], line[256];
	bool ok = false;
	FILE *f;

	path_in_root(p, sizeof(p), path);
	f = fopen(p, "r");
	while (f && !ok && fgets(line, sizeof(line), f))
		if (!key)
			ok = sscanf(line, "%" SCNu64, v) == 1;
		else if (!strncmp(line, key, strlen(key)))
			ok = sscanf(line + strlen(key), " %" SCNu64, v) == 1;
	if (f)
		fclose(f);
	return ok;
}

/* Linux writes at most image_size bytes (kernel/power/snapshot.c hibernate_preallocate_memory,
 * default 2/5 of RAM), compressed, into free swap (kernel/power/swap.c enough_swap). */
static void check_swap_size(void)
{
	uint64_t image_size, mem_kib;

	if (!st.swap_path[0])
		return;
	if (!read_u64("/sys/power/image_size", NULL, &image_size) ||
	    !read_u64("/proc/meminfo", "MemTotal:", &mem_kib)) {
		report(V_WARN, "swap size", "cannot read /sys/power/image_size or MemTotal");
		return;
	}
	if (st.swap_free_kib * 1024 >= image_size)
		report(V_OK, "swap size", "%" PRIu64 " MiB free >= image_size %" PRIu64 " MiB "
		       "(RAM %" PRIu64 " MiB)", st.swap_free_kib / 1024, image_size >> 20, mem_kib / 1024);
	else
		report(V_WARN, "swap size", "%" PRIu64 " MiB free < image_size %" PRIu64 " MiB: "
		       "hibernation fails unless the image compresses that far", st.swap_free_kib / 1024,
		       image_size >> 20);
}

/* The swap partition's UUID must be the one the GRUB entry names (the sleep hook
 * re-resolves it at every hibernation; update-grub bakes in the one it saw). */
static void check_resume_device(void)
{
	char p[1024], text[UUID_TEXT_LEN + 1];
	uint8_t page[SWAP_PAGE];
	struct swap_info si;
	FILE *f;

	if (!st.swap_path[0])
		return;
	if (st.swap_is_file) {
		report(V_INFO, "resume device", "swap file %s: the sleep hook passes its filesystem "
		       "and resume_offset to thaw", st.swap_path);
		return;
	}
	path_in_root(p, sizeof(p), st.swap_path);
	f = fopen(p, "rb");
	if (!f || fread(page, 1, sizeof(page), f) != sizeof(page)) {
		report(V_WARN, "resume device", "cannot read %s (%s; run as root)", st.swap_path,
		       strerror(errno));
		if (f)
			fclose(f);
		return;
	}
	fclose(f);
	swap_probe(page, sizeof(page), &si);
	if (!si.has_uuid) {
		report(V_WARN, "resume device", "%s has no UUID; thaw finds it by name or by scanning",
		       st.swap_path);
		return;
	}
	uuid_format(si.uuid, UUID_BYTES_AS_TEXT, text);
	if (!strncmp(st.grub_resume, "UUID=", 5) && strcmp(st.grub_resume + 5, text))
		report(V_WARN, "resume device", "%s is UUID=%s but the GRUB entry says %s; the sleep "
		       "hook passes the current one (or run update-grub)", st.swap_path, text,
		       st.grub_resume);
	else
		report(V_OK, "resume device", "%s UUID=%s", st.swap_path, text);
}

/* GRUB clears the one-shot next_entry with save_env, which needs grubenv on a plain
 * filesystem it can write (grub-core/commands/loadenv.c). */
static void check_grubenv(void)
{
	char p[1024], line[1024], dev[512], mnt[512], type[64], best_type[64] = "";
	size_t best = 0;
	FILE *f;

	path_in_root(p, sizeof(p), "/boot/grub/grubenv");
	if (access(p, W_OK)) {
		report(V_FAIL, "GRUB env", "/boot/grub/grubenv is missing or not writable "
		       "(grub-editenv /boot/grub/grubenv create)");
		return;
	}
	path_in_root(p, sizeof(p), "/proc/mounts");
	f = fopen(p, "r");
	while (f && fgets(line, sizeof(line), f)) {
		size_t n;

		if (sscanf(line, "%511s %511s %63s", dev, mnt, type) != 3)
			continue;
		n = strlen(mnt);
		if (!strncmp("/boot/grub", mnt, n) && (n == 1 || "/boot/grub"[n] == '/' ||
							"/boot/grub"[n] == 0) && n >= best) {
			best = n;
			snprintf(best_type, sizeof(best_type), "%s", type);
		}
	}
	if (f)
		fclose(f);
	if (!strcmp(best_type, "btrfs") || !strcmp(best_type, "zfs"))
		report(V_FAIL, "GRUB env", "/boot/grub is on %s, where GRUB cannot write grubenv; "
		       "the one-shot entry would stick", best_type);
	else
		report(V_OK, "GRUB env", "/boot/grub/grubenv writable%s%s",
		       best_type[0] ? " on " : "", best_type);
}

/* An EFI variable's data byte 0 (efivarfs files start with the 4-byte attributes). */
static int efivar_byte(const char *name, const char *guid)
{
	char p[1024];
	uint8_t b[5];
	FILE *f;
	int v = -1;

	snprintf(p, sizeof(p), "%s" EFIVARS "/%s-%s", root(), name, guid);
	f = fopen(p, "rb");
	if (f && fread(b, 1, 5, f) == 5)
		v = b[4];
	if (f)
		fclose(f);
	return v;
}

static void check_secure_boot(void)
{
	int sb;

	st.uefi = exists("/sys/firmware/efi");
	if (!st.uefi) {
		report(V_INFO, "Secure Boot", "BIOS boot: not applicable");
		return;
	}
	sb = efivar_byte("SecureBoot", GLOBAL_GUID);
	if (sb == 1)
		report(V_FAIL, "Secure Boot", "enabled: shim/GRUB refuse to boot the unsigned thaw");
	else
		report(V_OK, "Secure Boot", sb == 0 ? "disabled" : "state unknown (no SecureBoot "
		       "variable)");
}

/* systemd's shared library carries its version in its file name. */
static int systemd_version(void)
{
	static const char *const dirs[] = {
		"/usr/lib/x86_64-linux-gnu/systemd", "/usr/lib/systemd", "/lib/systemd",
	};
	int best = 0;

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		char p[1024];
		struct dirent *e;
		DIR *d;

		path_in_root(p, sizeof(p), dirs[i]);
		d = opendir(p);
		while (d && (e = readdir(d))) {
			int v;
			if (sscanf(e->d_name, "libsystemd-shared-%d", &v) == 1 && v > best)
				best = v;
		}
		if (d)
			closedir(d);
	}
	return best;
}

static void check_hibernate_location(void)
{
	int v = systemd_version();

	if (!st.uefi) {
		report(V_INFO, "HibernateLocation", "BIOS boot: thaw uses the GRUB entry's resume=");
		return;
	}
	if (efivar_byte("HibernateLocation", SYSTEMD_GUID) >= 0)
		report(V_INFO, "HibernateLocation", "set now (left by an earlier hibernation); "
		       "thaw reads and deletes it when it resumes");
	else if (v >= HIBLOC_SYSTEMD)
		report(V_OK, "HibernateLocation", "systemd %d records it at hibernation; thaw "
		       "follows it when resume= is not given", v);
	else if (v)
		report(V_INFO, "HibernateLocation", "systemd %d is older than %d and does not "
		       "record it; thaw uses the GRUB entry's resume=", v, HIBLOC_SYSTEMD);
	else
		report(V_INFO, "HibernateLocation", "no systemd found; thaw uses the GRUB entry's "
		       "resume=");
}

int thawctl_status(int argc, char **argv)
{
	(void)argv;
	if (argc != 2) {
		fprintf(stderr, "usage: thawctl status\n");
		return 2;
	}
	memset(&st, 0, sizeof(st));
	check_thaw();
	check_grub_entry();
	check_hook();
	check_swap();
	check_swap_size();
	check_resume_device();
	check_grubenv();
	check_secure_boot();
	check_hibernate_location();
	if (st.failed) {
		printf("status: the next hibernation will NOT resume through thaw (%u check%s "
		       "failed)\n", st.failed, st.failed == 1 ? "" : "s");
		return STATUS_EXIT_NOT_READY;
	}
	printf("status: the next hibernation will resume through thaw\n");
	return 0;
}
