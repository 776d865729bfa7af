/* thaw's command line, Linux-style (Documentation/admin-guide/kernel-parameters.rst):
 * space-separated `key=value` or bare `flag`, double quotes allowed around a value.
 * Table-driven: add an option by adding a row to `options_table`. Pure. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "kernel/cmdline.h"

#define TOKEN_MAX 256

typedef bool (*opt_setter)(struct options *o, const char *val);

struct opt_def {
	const char *key;
	bool takes_value;       /* false: a bare flag; `flag=...` is malformed */
	opt_setter set;
};

/* Decimal or 0x-hex, no sign, no overflow, nothing trailing. */
static bool parse_u64(const char *s, uint64_t *out)
{
	unsigned base = 10;
	uint64_t v = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!*s)
		return false;
	for (; *s; s++) {
		unsigned d;

		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			return false;
		if (v > (UINT64_MAX - d) / base)
			return false;
		v = v * base + d;
	}
	*out = v;
	return true;
}

static bool copy_value(char *dst, size_t cap, const char *val)
{
	size_t n = strlen(val);

	if (n >= cap)
		return false;
	memcpy(dst, val, n + 1);
	return true;
}

static bool set_resume(struct options *o, const char *v)
{
	return copy_value(o->resume, sizeof(o->resume), v);
}

static bool set_resume_offset(struct options *o, const char *v)
{
	return parse_u64(v, &o->resume_offset);
}

static bool set_noresume(struct options *o, const char *v)
{
	(void)v;
	o->noresume = true;
	return true;
}

static bool set_loglevel(struct options *o, const char *v)
{
	uint64_t n;

	if (!parse_u64(v, &n) || n > 15)
		return false;
	o->loglevel = (int)n;
	return true;
}

static bool set_on_fail(struct options *o, const char *v)
{
	if (!strcmp(v, "reboot"))
		o->on_fail = ON_FAIL_REBOOT;
	else if (!strcmp(v, "halt"))
		o->on_fail = ON_FAIL_HALT;
	else if (!strcmp(v, "poweroff"))
		o->on_fail = ON_FAIL_POWEROFF;
	else if (!strcmp(v, "wait"))
		o->on_fail = ON_FAIL_WAIT_REBOOT;
	else
		return false;
	return true;
}

static bool set_e820(struct options *o, const char *v)
{
	if (!strcmp(v, "ignore"))
		o->e820 = E820_IGNORE;
	else if (!strcmp(v, "enforce"))
		o->e820 = E820_ENFORCE;
	else
		return false;
	return true;
}

/* thaw.e820_crc=: the e820 checksum of the firmware map, computed by `thawctl kexec`
 * from /sys/firmware/memmap, since kexec's Multiboot2 map is not the firmware's
 * (docs/hibernation-format.md §5). */
static bool set_e820_crc(struct options *o, const char *v)
{
	uint64_t n;

	if (!parse_u64(v, &n) || n > 0xffffffffu)
		return false;
	o->e820_crc = (uint32_t)n;
	o->e820_crc_set = true;
	return true;
}

static bool set_delay(struct options *o, const char *v)
{
	uint64_t n;

	if (!parse_u64(v, &n) || n > 3600)
		return false;
	o->delay_s = (uint32_t)n;
	return true;
}

/* thaw.smp=<n>: at most n CPUs, the boot CPU included; 0 means the boot CPU alone,
 * as Linux's maxcpus=0 does (Documentation/admin-guide/kernel-parameters.txt). */
static bool set_smp(struct options *o, const char *v)
{
	uint64_t n;

	if (!parse_u64(v, &n) || n > CMDLINE_SMP_MAX)
		return false;
	o->smp_max = (uint32_t)n;
	return true;
}

static bool set_test_exit(struct options *o, const char *v)
{
	(void)v;
	o->test_exit = true;
	return true;
}

static bool set_acpi_rsdp(struct options *o, const char *v)
{
	return parse_u64(v, &o->acpi_rsdp) && o->acpi_rsdp != 0;
}

static bool set_test(struct options *o, const char *v)
{
	return copy_value(o->test, sizeof(o->test), v);
}

static const struct opt_def options_table[] = {
	{ "resume", true, set_resume },
	{ "resume_offset", true, set_resume_offset },
	{ "noresume", false, set_noresume },
	{ "loglevel", true, set_loglevel },
	{ "thaw.on_fail", true, set_on_fail },
	{ "thaw.e820", true, set_e820 },
	{ "thaw.e820_crc", true, set_e820_crc },
	{ "thaw.delay", true, set_delay },
	{ "thaw.smp", true, set_smp },
	{ "thaw.test_exit", false, set_test_exit },
	{ "acpi_rsdp", true, set_acpi_rsdp },
	{ "thaw.test", true, set_test },
};

static void set_defaults(struct options *o)
{
	memset(o, 0, sizeof(*o));
	o->loglevel = 4;        /* Linux's default console loglevel */
	o->on_fail = ON_FAIL_WAIT_REBOOT;
	o->e820 = E820_ENFORCE;
	o->smp_max = CMDLINE_SMP_ALL;
}

/* Copy the next token into tok (quotes removed, "key=" kept); returns the position
 * after it, or NULL at the end. Sets *too_long when the token did not fit. */
static const char *next_token(const char *s, char *tok, bool *too_long)
{
	size_t n = 0;
	bool quoted = false;

	while (*s == ' ' || *s == '\t' || *s == '\n')
		s++;
	if (!*s)
		return NULL;
	*too_long = false;
	for (; *s && (quoted || (*s != ' ' && *s != '\t' && *s != '\n')); s++) {
		if (*s == '"') {
			quoted = !quoted;
			continue;
		}
		if (n + 1 < TOKEN_MAX)
			tok[n++] = *s;
		else
			*too_long = true;
	}
	tok[n] = '\0';
	return s;
}

#define SECRET_KEY "thaw.luks_key"
#define SECRET_KEY_LEN 13

/* Is the key of this token (quotes removed, as next_token() reads it) SECRET_KEY?
 * Only the first SECRET_KEY_LEN + 1 characters matter, so a token of any length
 * (even one too long for the parser) is recognised. */
static bool secret_token(const char *tok)
{
	char head[SECRET_KEY_LEN + 2];
	size_t n = 0;
	bool quoted = false;

	for (; *tok && n < sizeof(head) - 1 &&
	       (quoted || (*tok != ' ' && *tok != '\t' && *tok != '\n')); tok++) {
		if (*tok == '"')
			quoted = !quoted;
		else
			head[n++] = *tok;
	}
	head[n] = '\0';
	return !strncmp(head, SECRET_KEY, SECRET_KEY_LEN) &&
	       (head[SECRET_KEY_LEN] == '=' || head[SECRET_KEY_LEN] == '\0');
}

/* Apply one token; returns 1 if it produced a warning, else 0. */
static int apply_token(char *tok, struct options *o,
		       void (*warn)(const char *msg, const char *option))
{
	char *eq = strchr(tok, '=');
	const char *val = eq ? eq + 1 : NULL;
	size_t klen = eq ? (size_t)(eq - tok) : strlen(tok);

	/* A LUKS passphrase on the command line is readable by every user of the
	 * resumed system (/proc/cmdline): refused, and its value never repeated. */
	if (secret_token(tok)) {
		if (warn)
			warn("refused: a secret on the command line is visible to everyone; "
			     "type the LUKS passphrase at thaw's prompt instead", "thaw.luks_key=");
		return 1;
	}
	for (size_t i = 0; i < sizeof(options_table) / sizeof(options_table[0]); i++) {
		const struct opt_def *d = &options_table[i];

		if (strlen(d->key) != klen || strncmp(d->key, tok, klen))
			continue;
		if (d->takes_value != (val != NULL) || !d->set(o, val ? val : "")) {
			if (warn)
				warn(d->takes_value ? "bad or missing value for option" :
				     "option takes no value", tok);
			return 1;
		}
		return 0;
	}
	if (warn)
		warn("unknown option ignored", tok);
	return 1;
}

int cmdline_parse(const char *cmdline, struct options *opts,
		  void (*warn)(const char *msg, const char *option))
{
	char tok[TOKEN_MAX];
	bool too_long;
	int warnings = 0;

	set_defaults(opts);
	if (!cmdline)
		return 0;
	while ((cmdline = next_token(cmdline, tok, &too_long))) {
		if (too_long && !secret_token(tok)) {
			if (warn)
				warn("option too long, ignored", tok);
			warnings++;
			continue;
		}
		warnings += apply_token(tok, opts, warn);
	}
	return warnings;
}

/* Append n bytes of s to out at *len, keeping room for the terminator; false when
 * out is full. */
static bool append(char *out, size_t cap, size_t *len, const char *s, size_t n)
{
	bool fits = *len + n < cap;

	if (!fits)
		n = cap - 1 - *len;
	memcpy(out + *len, s, n);
	*len += n;
	return fits;
}

void cmdline_redact(const char *cmdline, char *out, size_t cap)
{
	size_t len = 0;

	if (!cap)
		return;
	out[0] = '\0';
	if (!cmdline)
		return;
	while (*cmdline) {
		const char *end = cmdline;
		bool quoted = false, ok;

		if (*cmdline == ' ' || *cmdline == '\t' || *cmdline == '\n') {
			ok = append(out, cap, &len, cmdline, 1);
			cmdline++;
		} else {
			/* One token, with next_token()'s rules for where it ends. */
			for (; *end && (quoted || (*end != ' ' && *end != '\t' && *end != '\n'));
			     end++)
				if (*end == '"')
					quoted = !quoted;
			if (secret_token(cmdline))
				ok = append(out, cap, &len, SECRET_KEY "=" CMDLINE_HIDDEN,
					    sizeof(SECRET_KEY "=" CMDLINE_HIDDEN) - 1);
			else
				ok = append(out, cap, &len, cmdline, (size_t)(end - cmdline));
			cmdline = end;
		}
		if (!ok)
			break;
	}
	out[len] = '\0';
}
