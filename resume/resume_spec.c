/* resume= parsing and matching. Linux init/do_mounts.c / block/early-lookup.c accepts
 * /dev/<name>, PARTUUID= (GPT GUID, or "SSSSSSSS-PP" for MBR as made by
 * block/partitions/msdos.c "%08x-%02x"), PARTLABEL= and device numbers; UUID= and
 * LABEL= are what initramfs-tools and dracut add through blkid. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "resume/resume_spec.h"
#include "block/uuid.h"

const char *rspec_strerror(enum rspec_err e)
{
	switch (e) {
	case RSPEC_OK:      return "ok";
	case RSPEC_EFORM:   return "unrecognised form; use /dev/<disk>[N], UUID=, LABEL=, PARTUUID= or PARTLABEL=";
	case RSPEC_EUUID:   return "malformed UUID (expected xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)";
	case RSPEC_EDEVNUM: return "device numbers (major:minor) mean nothing to thaw; name the device instead";
	case RSPEC_ELONG:   return "value too long";
	case RSPEC_ENAME:   return "not a disk name thaw knows (expected /dev/vdX, /dev/sdX or "
				    "/dev/nvmeXnY, with an optional partition number: vda2, sda2, "
				    "nvme0n1p2; or /dev/mapper/NAME, /dev/VG/LV)";
	}
	return "unknown resume= error";
}

static bool has_prefix(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)(c | 0x20);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Parse exactly n hex digits. */
static bool parse_hex(const char *s, size_t n, uint32_t *v)
{
	*v = 0;
	for (size_t i = 0; i < n; i++) {
		int d = hexval(s[i]);

		if (d < 0)
			return false;
		*v = *v << 4 | (uint32_t)d;
	}
	return true;
}

/* A decimal number without leading zeros (0 itself only when zero_ok); advances *i. */
static bool number_at(const char *n, size_t *i, bool zero_ok)
{
	size_t start = *i;

	while (n[*i] >= '0' && n[*i] <= '9')
		(*i)++;
	if (*i == start)
		return false;
	return n[start] != '0' || (zero_ok && *i == start + 1);
}

/* vd/sd + letters + optional partition number, like Linux's virtio_blk and sd names
 * (vda … vdzz, sda2); nvme<ctrl>n<ns> + optional p<partition> (nvme0n1p2). */
static bool valid_disk_name(const char *n)
{
	size_t i = 2;

	if (n[0] == 'n' && strncmp(n, "nvme", 4) == 0) {
		i = 4;
		if (!number_at(n, &i, true) || n[i++] != 'n' || !number_at(n, &i, false))
			return false;
		if (n[i] == 'p' && (i++, !number_at(n, &i, false)))
			return false;
		return n[i] == '\0';
	}
	if ((n[0] != 'v' && n[0] != 's') || n[1] != 'd' || !(n[2] >= 'a' && n[2] <= 'z'))
		return false;
	while (n[i] >= 'a' && n[i] <= 'z')
		i++;
	if (n[i] == '\0')
		return true;
	return number_at(n, &i, false) && n[i] == '\0';
}

/* Device-mapper devices as Linux names them: dm-N, /dev/mapper/NAME, /dev/VG/LV
 * (one slash, both sides non-empty, no further path). */
static bool valid_dm_name(const char *n)
{
	const char *slash = strchr(n, '/');

	if (n[0] == 'd' && n[1] == 'm' && n[2] == '-' && n[3] >= '0' && n[3] <= '9')
		return true;
	return slash && slash != n && slash[1] && !strchr(slash + 1, '/');
}

static enum rspec_err set_text(struct resume_spec *out, enum rspec_kind k, const char *v)
{
	size_t n = strnlen(v, RSPEC_TEXT_MAX);

	if (n == RSPEC_TEXT_MAX)
		return RSPEC_ELONG;
	if (n == 0)
		return RSPEC_EFORM;
	out->kind = k;
	memcpy(out->text, v, n + 1);
	return RSPEC_OK;
}

static enum rspec_err parse_partuuid(const char *v, struct resume_spec *out)
{
	size_t n = strnlen(v, UUID_TEXT_LEN + 1);

	if (n == 11 && v[8] == '-') {
		if (!parse_hex(v, 8, &out->mbr_signature) || !parse_hex(v + 9, 2, &out->mbr_number))
			return RSPEC_EUUID;
		out->kind = RSPEC_PARTUUID_MBR;
		return RSPEC_OK;
	}
	if (strchr(v, '/'))
		return RSPEC_EFORM;      /* PARTUUID=…/PARTNROFF=n: not supported */
	if (!uuid_parse(v, UUID_GUID_MIXED_ENDIAN, out->uuid))
		return RSPEC_EUUID;
	out->kind = RSPEC_PARTUUID_GPT;
	return RSPEC_OK;
}

static enum rspec_err parse_uuid(const char *v, struct resume_spec *out)
{
	if (!uuid_parse(v, UUID_BYTES_AS_TEXT, out->uuid))
		return RSPEC_EUUID;
	out->kind = RSPEC_UUID;
	return RSPEC_OK;
}

/* "254:1" or a bare hex number: Linux's device-number forms. */
static bool is_devnum(const char *s)
{
	if (strchr(s, ':'))
		return true;
	for (; *s; s++)
		if (hexval(*s) < 0)
			return false;
	return true;
}

enum rspec_err resume_spec_parse(const char *s, struct resume_spec *out)
{
	memset(out, 0, sizeof(*out));
	if (*s == '\0')
		return RSPEC_OK;
	if (has_prefix(s, "UUID="))
		return parse_uuid(s + 5, out);
	if (has_prefix(s, "/dev/disk/by-uuid/"))
		return parse_uuid(s + 18, out);
	if (has_prefix(s, "PARTUUID="))
		return parse_partuuid(s + 9, out);
	if (has_prefix(s, "/dev/disk/by-partuuid/"))
		return parse_partuuid(s + 22, out);
	if (has_prefix(s, "LABEL="))
		return set_text(out, RSPEC_LABEL, s + 6);
	if (has_prefix(s, "/dev/disk/by-label/"))
		return set_text(out, RSPEC_LABEL, s + 19);
	if (has_prefix(s, "PARTLABEL="))
		return set_text(out, RSPEC_PARTLABEL, s + 10);
	if (has_prefix(s, "/dev/disk/by-partlabel/"))
		return set_text(out, RSPEC_PARTLABEL, s + 23);
	if (has_prefix(s, "/dev/")) {
		if (!valid_disk_name(s + 5) && !valid_dm_name(s + 5))
			return RSPEC_ENAME;
		return set_text(out, RSPEC_DEVNAME, s + 5);
	}
	return is_devnum(s) ? RSPEC_EDEVNUM : RSPEC_EFORM;
}

static bool swap_present(const struct swap_info *si)
{
	return si && si->kind != SWAP_NONE;
}

bool resume_spec_matches(const struct resume_spec *s, const struct rspec_candidate *c)
{
	switch (s->kind) {
	case RSPEC_NONE:
		return swap_present(c->swap) && c->swap->kind == SWAP_HIBERNATED;
	case RSPEC_DEVNAME:
		return strcmp(s->text, c->name) == 0 ||
		       (c->alias[0] && !strcmp(s->text, c->alias[0])) ||
		       (c->alias[1] && !strcmp(s->text, c->alias[1]));
	case RSPEC_UUID:
		/* A swap partition by its own UUID, or the filesystem holding a swap
		 * file (then resume_offset= says where the file's header is). */
		if (swap_present(c->swap) && c->swap->has_uuid &&
		    memcmp(c->swap->uuid, s->uuid, 16) == 0)
			return true;
		return c->fs && c->fs->kind != FS_NONE && memcmp(c->fs->uuid, s->uuid, 16) == 0;
	case RSPEC_LABEL:
		if (swap_present(c->swap) && c->swap->label[0] != '\0' &&
		    strcmp(c->swap->label, s->text) == 0)
			return true;
		return c->fs && c->fs->kind != FS_NONE && c->fs->label[0] != '\0' &&
		       strcmp(c->fs->label, s->text) == 0;
	case RSPEC_PARTUUID_GPT:
		return c->part && c->part->has_guid && memcmp(c->part->guid, s->uuid, 16) == 0;
	case RSPEC_PARTUUID_MBR:
		return c->part && c->table && c->table->scheme == PART_MBR &&
		       c->table->mbr_signature == s->mbr_signature &&
		       c->part->number == s->mbr_number;
	case RSPEC_PARTLABEL:
		return c->part && c->table && c->table->scheme == PART_GPT &&
		       strcmp(c->part->name, s->text) == 0;
	}
	return false;
}

static void put(char *out, unsigned cap, const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (cap == 0)
		return;
	if (la > cap - 1)
		la = cap - 1;
	memcpy(out, a, la);
	if (lb > cap - 1 - la)
		lb = cap - 1 - la;
	memcpy(out + la, b, lb);
	out[la + lb] = '\0';
}

void resume_spec_describe(const struct resume_spec *s, char *out, unsigned cap)
{
	static const char hex[] = "0123456789abcdef";
	char u[UUID_TEXT_LEN + 1];

	switch (s->kind) {
	case RSPEC_NONE:         put(out, cap, "(none: scan)", ""); break;
	case RSPEC_DEVNAME:      put(out, cap, "/dev/", s->text); break;
	case RSPEC_LABEL:        put(out, cap, "LABEL=", s->text); break;
	case RSPEC_PARTLABEL:    put(out, cap, "PARTLABEL=", s->text); break;
	case RSPEC_UUID:
		uuid_format(s->uuid, UUID_BYTES_AS_TEXT, u);
		put(out, cap, "UUID=", u);
		break;
	case RSPEC_PARTUUID_GPT:
		uuid_format(s->uuid, UUID_GUID_MIXED_ENDIAN, u);
		put(out, cap, "PARTUUID=", u);
		break;
	case RSPEC_PARTUUID_MBR:
		for (int i = 0; i < 8; i++)
			u[i] = hex[(s->mbr_signature >> (28 - 4 * i)) & 15];
		u[8] = '-';
		u[9] = hex[(s->mbr_number >> 4) & 15];
		u[10] = hex[s->mbr_number & 15];
		u[11] = '\0';
		put(out, cap, "PARTUUID=", u);
		break;
	}
}
