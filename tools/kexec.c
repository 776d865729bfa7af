/* thawctl kexec: load thaw with kexec-tools' Multiboot2 loader from a running Linux and
 * (with --exec) jump into it, passing what kexec's boot information lacks: the e820
 * checksum of the firmware map (/sys/firmware/memmap) and the ACPI RSDP (EFI systab). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/fs.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>
#include "block/swaparea.h"
#include "block/uuid.h"
#include "resume/e820.h"
#include "tools/kexec.h"

#define MEMMAP_MAX 256
#define CMDLINE_MAX 1024

struct kexec_opts {
	const char *resume;
	const char *resume_offset;
	const char *thaw;
	const char *append;
	const char *kexec;
	bool exec;
	bool dry_run;
};

/* Root of sysfs and procfs; tests point these at a fake tree. */
static const char *sys_root(void)
{
	const char *r = getenv("THAWCTL_SYSROOT");

	return r ? r : "";
}

static bool read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	bool ok;

	if (!f)
		return false;
	ok = fgets(buf, (int)len, f) != NULL;
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return ok;
}

/* e820 type numbers from the names Linux gives them in /sys/firmware/memmap/N/type
 * (arch/x86/kernel/e820.c, e820_type_to_string()). 0 = a name that hides the number. */
static uint32_t e820_type_from_name(const char *name)
{
	static const struct { const char *name; uint32_t type; } names[] = {
		{ "System RAM", 1 },
		{ "Reserved", 2 },
		{ "ACPI Tables", 3 },
		{ "ACPI Non-volatile Storage", 4 },
		{ "Unusable memory", 5 },
		{ "Persistent Memory", 7 },
		{ "Persistent Memory (legacy)", 12 },
		{ "Soft Reserved", 0xefffffff },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(name, names[i].name))
			return names[i].type;
	return 0;
}

/* The whole kernel log from /dev/kmsg (one record per read; a test's plain file works
 * too), NUL-terminated; NULL if unreadable. */
static char *read_kernel_log(void)
{
	char path[512], rec[8192];
	size_t len = 0, cap = 1 << 16;
	char *log = malloc(cap);
	int fd;

	snprintf(path, sizeof(path), "%s/dev/kmsg", sys_root());
	fd = open(path, O_RDONLY | O_NONBLOCK);
	if (fd < 0 || !log) {
		free(log);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	for (;;) {
		ssize_t r = read(fd, rec, sizeof(rec));

		if (r < 0 && errno == EPIPE)    /* a record was overwritten: go on */
			continue;
		if (r <= 0 || len + (size_t)r + 1 > (8u << 20))
			break;
		if (len + (size_t)r + 1 > cap) {
			char *bigger = realloc(log, cap * 2 + (size_t)r);

			if (!bigger)
				break;
			log = bigger;
			cap = cap * 2 + (size_t)r;
		}
		memcpy(log + len, rec, (size_t)r);
		len += (size_t)r;
	}
	close(fd);
	log[len] = '\0';
	return log;
}

/* A memmap entry Linux names "Unknown E820 type" (e.g. GRUB's type 20 on UEFI): its
 * number from the boot log line "BIOS-e820: [mem 0x…-0x…] type N", which prints the
 * table the firmware copy was taken from (arch/x86/kernel/e820.c, e820__print_table()).
 * 0 when the log no longer holds it. */
static uint32_t e820_type_from_log(uint64_t start, uint64_t end)
{
	char pat[96];
	char *log = read_kernel_log();
	const char *hit;
	uint32_t type = 0;

	if (!log)
		return 0;
	/* Linux's %#018Lx: "0x" and 16 digits, zero included (unlike C's %#x). */
	snprintf(pat, sizeof(pat), "BIOS-e820: [mem 0x%016" PRIx64 "-0x%016" PRIx64 "] type ",
		 start, end);
	hit = strstr(log, pat);
	if (hit)
		type = (uint32_t)strtoul(hit + strlen(pat), NULL, 10);
	free(log);
	return type;
}

/* The checksum Linux stores in the restore record: standard CRC-32 over
 * u32 nr_entries + nr × packed {u64 addr, u64 size, u32 type} of e820_table_firmware
 * (arch/x86/power/hibernate.c, compute_e820_crc32()), which is what
 * /sys/firmware/memmap lists, in order, with inclusive ends. */
static bool memmap_field(uint32_t n, const char *field, char *buf, size_t len)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/sys/firmware/memmap/%u/%s", sys_root(), n, field);
	return read_line(path, buf, len);
}

static int firmware_e820_crc(uint32_t *crc_out)
{
	static struct e820_entry map[MEMMAP_MAX];
	char buf[128];
	uint32_t n = 0;

	for (; n < MEMMAP_MAX && memmap_field(n, "start", buf, sizeof(buf)); n++) {
		uint64_t start = strtoull(buf, NULL, 0), end;
		uint32_t type;

		if (!memmap_field(n, "end", buf, sizeof(buf)))
			return -EIO;
		end = strtoull(buf, NULL, 0);
		if (!memmap_field(n, "type", buf, sizeof(buf)))
			return -EIO;
		type = e820_type_from_name(buf);
		if (!type)
			type = e820_type_from_log(start, end);
		if (!type) {
			fprintf(stderr, "thawctl: memmap entry %u has type \"%s\", whose e820 number "
				"Linux does not show, and the kernel log no longer has it\n", n, buf);
			return -ENOENT;
		}
		if (end < start)
			return -EINVAL;
		map[n] = (struct e820_entry){ .addr = start, .size = end - start + 1, .type = type };
	}
	if (!n)
		return -ENOENT;
	*crc_out = e820_checksum(map, n);
	return 0;
}

/* kexec's boot information has no ACPI tags: hand thaw the RSDP the firmware gave
 * Linux (EFI systab; on BIOS thaw finds it by scanning, as Linux does). */
static bool efi_rsdp(uint64_t *rsdp)
{
	char path[512], line[128];
	FILE *f;
	bool found = false;

	snprintf(path, sizeof(path), "%s/sys/firmware/efi/systab", sys_root());
	f = fopen(path, "r");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "ACPI20=", 7) || (!found && !strncmp(line, "ACPI=", 5))) {
			*rsdp = strtoull(strchr(line, '=') + 1, NULL, 0);
			found = true;
		}
	}
	fclose(f);
	return found;
}

/* resume=UUID=… for a swap header's UUID, in the byte order mkswap stores it. */
static void format_uuid(const uint8_t u[SWAP_UUID_LEN], char *out, size_t len)
{
	char text[UUID_TEXT_LEN + 1];

	uuid_format(u, UUID_BYTES_AS_TEXT, text);
	snprintf(out, len, "UUID=%s", text);
}

/* resume=UUID=… from a swap area's mkswap header (struct mkswap_header). */
static bool swap_uuid(const char *dev, char *out, size_t len)
{
	uint8_t u[SWAP_UUID_LEN];
	int fd = open(dev, O_RDONLY);
	bool ok;

	if (fd < 0)
		return false;
	ok = pread(fd, u, sizeof(u), offsetof(struct mkswap_header, uuid)) == (ssize_t)sizeof(u);
	close(fd);
	for (size_t i = 0; ok && i < sizeof(u) && u[i] == 0; i++)
		ok = i + 1 < sizeof(u);
	if (!ok)
		return false;
	format_uuid(u, out, len);
	return true;
}

/* The filesystem UUID of block device dev (udev's /dev/disk/by-uuid links): the name
 * that stays right when disks are renumbered. */
static bool fs_uuid_of(dev_t dev, char *out, size_t len)
{
	char dir[512], path[1024];
	struct dirent *d;
	struct stat st;
	DIR *dp;
	bool found = false;

	snprintf(dir, sizeof(dir), "%s/dev/disk/by-uuid", sys_root());
	dp = opendir(dir);
	if (!dp)
		return false;
	while (!found && (d = readdir(dp))) {
		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		if (d->d_name[0] != '.' && !stat(path, &st) && S_ISBLK(st.st_mode) &&
		    st.st_rdev == dev && strlen(d->d_name) < len) {
			snprintf(out, len, "%s", d->d_name);
			found = true;
		}
	}
	closedir(dp);
	return found;
}

/* A swap file: resume= names the filesystem holding it (UUID=, else its device),
 * resume_offset= the page of its first block (Documentation/power/swsusp-and-swap-files.rst). */
static int swapfile_target(const char *file, char *resume, size_t rlen, char *offset, size_t olen)
{
	struct stat st;
	int fd = open(file, O_RDONLY);
	int blk = 0, bsz = 0;
	char path[512], line[128];
	FILE *f;

	if (fd < 0 || fstat(fd, &st) || ioctl(fd, FIGETBSZ, &bsz) || ioctl(fd, FIBMAP, &blk) || blk <= 0) {
		if (fd >= 0)
			close(fd);
		return -errno ? -errno : -EINVAL;
	}
	close(fd);
	snprintf(offset, olen, "%" PRIu64, (uint64_t)blk * (uint64_t)bsz / 4096);
	if (fs_uuid_of(st.st_dev, line, sizeof(line))) {
		snprintf(resume, rlen, "UUID=%s", line);
		return 0;
	}
	snprintf(path, sizeof(path), "%s/sys/dev/block/%u:%u/uevent", sys_root(),
		 major(st.st_dev), minor(st.st_dev));
	f = fopen(path, "r");
	if (!f)
		return -ENODEV;
	resume[0] = '\0';
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "DEVNAME=", 8))
			snprintf(resume, rlen, "/dev/%.*s", (int)strcspn(line + 8, "\n"), line + 8);
	fclose(f);
	return resume[0] ? 0 : -ENODEV;
}

/* No --resume, first choice: a block device whose swap header says it holds an image
 * (every name in /proc/partitions; a whole disk with partitions starts with its table). */
static bool hibernated_device(char *resume, size_t rlen)
{
	char path[512], line[256], name[64];
	uint8_t page[SWAP_PAGE];
	struct swap_info si;
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "%s/proc/partitions", sys_root());
	f = fopen(path, "r");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		unsigned int major, minor;
		unsigned long long blocks;
		int fd;

		if (sscanf(line, "%u %u %llu %63s", &major, &minor, &blocks, name) != 4)
			continue;
		snprintf(path, sizeof(path), "%s/dev/%s", sys_root(), name);
		fd = open(path, O_RDONLY);
		if (fd < 0)
			continue;
		if (pread(fd, page, sizeof(page), 0) == (ssize_t)sizeof(page)) {
			swap_probe(page, sizeof(page), &si);
			found = si.kind == SWAP_HIBERNATED;
		}
		close(fd);
	}
	fclose(f);
	if (!found)
		return false;
	if (si.has_uuid)
		format_uuid(si.uuid, resume, rlen);
	else
		snprintf(resume, rlen, "/dev/%s", name);
	return true;
}

/* No --resume and no image seen: the highest-priority active swap area in /proc/swaps. */
static int default_target(char *resume, size_t rlen, char *offset, size_t olen)
{
	char path[512], line[512], best_dev[256] = "", best_kind[32] = "", dev[256], kind[32];
	long prio, best = -100000;
	unsigned long size, used;
	FILE *f;

	snprintf(path, sizeof(path), "%s/proc/swaps", sys_root());
	f = fopen(path, "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%255s %31s %lu %lu %ld", dev, kind, &size, &used, &prio) == 5 &&
		    prio > best) {
			best = prio;
			snprintf(best_dev, sizeof(best_dev), "%s", dev);
			snprintf(best_kind, sizeof(best_kind), "%s", kind);
		}
	}
	fclose(f);
	if (!best_dev[0])
		return -ENOENT;
	if (!strcmp(best_kind, "file"))
		return swapfile_target(best_dev, resume, rlen, offset, olen);
	if (!swap_uuid(best_dev, resume, rlen))
		snprintf(resume, rlen, "%s", best_dev);
	return 0;
}

static int build_cmdline(const struct kexec_opts *o, char *cmd, size_t len)
{
	char resume[300] = "", offset[32] = "";
	size_t n = 0;
	uint64_t rsdp;
	uint32_t crc;
	int rc;

	if (o->resume) {
		snprintf(resume, sizeof(resume), "%s", o->resume);
		if (o->resume_offset)
			snprintf(offset, sizeof(offset), "%s", o->resume_offset);
	} else if (hibernated_device(resume, sizeof(resume))) {
		fprintf(stderr, "thawctl: hibernation image found: resume=%s\n", resume);
	} else if ((rc = default_target(resume, sizeof(resume), offset, sizeof(offset)))) {
		if (rc == -ENOENT)
			fprintf(stderr, "thawctl: no active swap area; thaw will scan every disk\n");
		else
			fprintf(stderr, "thawctl: cannot tell where the active swap area is (%s); "
				"thaw will scan every disk\n", strerror(-rc));
	}
	cmd[0] = '\0';
	if (resume[0])
		n += (size_t)snprintf(cmd + n, len - n, "resume=%s ", resume);
	if (offset[0] && n < len)
		n += (size_t)snprintf(cmd + n, len - n, "resume_offset=%s ", offset);
	if (firmware_e820_crc(&crc) == 0) {
		if (n < len)
			n += (size_t)snprintf(cmd + n, len - n, "thaw.e820_crc=0x%08x ", crc);
	} else {
		fprintf(stderr, "thawctl: cannot reproduce the firmware e820 checksum; thaw will "
			"refuse the image unless you pass --append thaw.e820=ignore\n");
	}
	if (efi_rsdp(&rsdp) && n < len)
		n += (size_t)snprintf(cmd + n, len - n, "acpi_rsdp=0x%" PRIx64 " ", rsdp);
	if (o->append && n < len)
		n += (size_t)snprintf(cmd + n, len - n, "%s ", o->append);
	if (n >= len)
		return -E2BIG;
	if (n)
		cmd[n - 1] = '\0';
	return 0;
}

static int run(char *const argv[], bool dry_run)
{
	pid_t pid;
	int status;

	printf("+");
	for (int i = 0; argv[i]; i++)
		printf(" %s", argv[i]);
	printf("\n");
	fflush(stdout);
	if (dry_run)
		return 0;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		execvp(argv[0], argv);
		fprintf(stderr, "thawctl: cannot run %s: %s (install kexec-tools)\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static void kexec_usage(FILE *out)
{
	fprintf(out,
		"usage: thawctl kexec [--resume=SPEC [--resume-offset=PAGES]] [--thaw=ELF]\n"
		"                     [--append=OPTIONS] [--exec] [--dry-run] [--kexec=PATH]\n"
		"Load thaw with kexec-tools (--type multiboot2-x86). Without --resume: the block\n"
		"device whose swap header holds an image (by UUID), else the active swap area\n"
		"(UUID=, or its filesystem and resume_offset= for a swap file), else thaw scans.\n"
		"--exec jumps into thaw right after loading (like kexec -e): the running system\n"
		"stops at once. --dry-run prints the kexec commands without running them.\n");
}

static bool opt(const char *arg, const char *name, const char **val)
{
	size_t n = strlen(name);

	if (strncmp(arg, name, n) || arg[n] != '=')
		return false;
	*val = arg + n + 1;
	return true;
}

int thawctl_kexec(int argc, char **argv)
{
	struct kexec_opts o = { .thaw = "/boot/thaw.elf", .kexec = "kexec" };
	static char cmdline[CMDLINE_MAX], cmdarg[CMDLINE_MAX + 32];
	int rc;

	for (int i = 2; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--exec"))
			o.exec = true;
		else if (!strcmp(a, "--dry-run"))
			o.dry_run = true;
		else if (!strcmp(a, "--help")) {
			kexec_usage(stdout);
			return 0;
		} else if (!opt(a, "--resume", &o.resume) && !opt(a, "--resume-offset", &o.resume_offset) &&
			   !opt(a, "--thaw", &o.thaw) && !opt(a, "--append", &o.append) &&
			   !opt(a, "--kexec", &o.kexec)) {
			kexec_usage(stderr);
			return 2;
		}
	}
	if (access(o.thaw, R_OK)) {
		fprintf(stderr, "thawctl: %s: %s\n", o.thaw, strerror(errno));
		return 3;
	}
	rc = build_cmdline(&o, cmdline, sizeof(cmdline));
	if (rc) {
		fprintf(stderr, "thawctl: command line too long\n");
		return 2;
	}
	snprintf(cmdarg, sizeof(cmdarg), "--command-line=%s", cmdline);
	{
		char *load[] = { (char *)o.kexec, "-l", (char *)o.thaw, "--type", "multiboot2-x86",
				 cmdarg, NULL };
		char *exec[] = { (char *)o.kexec, "-e", NULL };

		rc = run(load, o.dry_run);
		if (rc) {
			fprintf(stderr, "thawctl: kexec -l failed (status %d)\n", rc);
			return 3;
		}
		if (!o.exec) {
			printf("thaw is loaded; run `kexec -e` (or thawctl kexec --exec) to resume\n");
			return 0;
		}
		rc = run(exec, o.dry_run);
	}
	if (o.dry_run)
		return 0;
	/* kexec -e only returns when it could not jump. */
	fprintf(stderr, "thawctl: kexec -e failed (status %d)\n", rc);
	return 3;
}
