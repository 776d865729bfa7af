/* HibernateLocation: a small JSON reader (RFC 8259) working directly on the UTF-16LE
 * code units the EFI variable holds, keeping the fields systemd's sleep.c writes. */
#include "resume/hibernate_location.h"

#include <stdbool.h>
#include <string.h>

#define MAX_DEPTH 8
#define END 0xffffffffu    /* past the text: what cur() returns at its end */

/* The text: code units [0, n) of data, the NUL excluded. */
struct cursor {
	const uint8_t *data;
	size_t n;
	size_t i;
};

const char *hibloc_strerror(enum hibloc_err e)
{
	switch (e) {
	case HIBLOC_OK:        return "ok";
	case HIBLOC_EUTF16:    return "not UTF-16 text ending in NUL";
	case HIBLOC_ESYNTAX:   return "not a JSON object";
	case HIBLOC_EDEPTH:    return "JSON nested too deeply";
	case HIBLOC_EDUP:      return "a field appears twice";
	case HIBLOC_ETYPE:     return "a field has the wrong type";
	case HIBLOC_ELONG:     return "a field is too long";
	case HIBLOC_ENOUUID:   return "no \"uuid\" field";
	case HIBLOC_ENOOFFSET: return "no \"offset\" field";
	}
	return "unknown HibernateLocation error";
}

static uint32_t cur(const struct cursor *c)
{
	if (c->i >= c->n)
		return END;
	return (uint32_t)c->data[2 * c->i] | (uint32_t)c->data[2 * c->i + 1] << 8;
}

static void skip_ws(struct cursor *c)
{
	uint32_t u;

	while ((u = cur(c)) == ' ' || u == '\t' || u == '\n' || u == '\r')
		c->i++;
}

static bool eat(struct cursor *c, uint32_t want)
{
	skip_ws(c);
	if (cur(c) != want)
		return false;
	c->i++;
	return true;
}

static int hexval(uint32_t u)
{
	if (u >= '0' && u <= '9')
		return (int)(u - '0');
	if (u >= 'a' && u <= 'f')
		return (int)(u - 'a' + 10);
	if (u >= 'A' && u <= 'F')
		return (int)(u - 'A' + 10);
	return -1;
}

/* One escape after the backslash; *out gets the character (ASCII or '?'). */
static bool escape(struct cursor *c, char *out)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	uint32_t u = cur(c), v = 0;

	c->i++;
	for (unsigned k = 0; k < sizeof(from) - 1; k++)
		if (u == (uint32_t)from[k]) {
			*out = to[k];
			return true;
		}
	if (u != 'u')
		return false;
	for (int k = 0; k < 4; k++) {
		int h = hexval(cur(c));
		if (h < 0)
			return false;
		v = v << 4 | (uint32_t)h;
		c->i++;
	}
	*out = v >= 0x20 && v < 0x80 ? (char)v : '?';
	return true;
}

/* A string at the cursor (after whitespace). If out is non-NULL its text goes there
 * (cap bytes with NUL); *long_ is set when it did not fit. */
static bool string(struct cursor *c, char *out, size_t cap, bool *long_)
{
	size_t len = 0;

	if (!eat(c, '"'))
		return false;
	for (;;) {
		uint32_t u = cur(c);
		char ch;

		if (u == END || u < 0x20)
			return false;
		c->i++;
		if (u == '"')
			break;
		if (u == '\\') {
			if (!escape(c, &ch))
				return false;
		} else {
			ch = u < 0x80 ? (char)u : '?';
		}
		if (out && len + 1 < cap)
			out[len] = ch;
		else if (out)
			*long_ = true;
		len++;
	}
	if (out)
		out[len < cap ? len : cap - 1] = 0;
	return true;
}

/* A JSON number; *val and *is_uint describe it when it is a plain unsigned integer that
 * fits in 64 bits. */
static bool number(struct cursor *c, uint64_t *val, bool *is_uint)
{
	bool neg = false, digits = false, frac = false;
	uint64_t v = 0;
	uint32_t u;

	*is_uint = false;
	skip_ws(c);
	if (cur(c) == '-') {
		neg = true;
		c->i++;
	}
	bool overflow = false;
	while ((u = cur(c)) >= '0' && u <= '9') {
		if (v > (UINT64_MAX - (u - '0')) / 10)
			overflow = true;
		v = v * 10 + (u - '0');
		digits = true;
		c->i++;
	}
	if (!digits)
		return false;
	if (cur(c) == '.') {
		frac = true;
		c->i++;
		if (!((u = cur(c)) >= '0' && u <= '9'))
			return false;
		while ((u = cur(c)) >= '0' && u <= '9')
			c->i++;
	}
	if (cur(c) == 'e' || cur(c) == 'E') {
		frac = true;
		c->i++;
		if (cur(c) == '+' || cur(c) == '-')
			c->i++;
		if (!((u = cur(c)) >= '0' && u <= '9'))
			return false;
		while ((u = cur(c)) >= '0' && u <= '9')
			c->i++;
	}
	*is_uint = !neg && !frac && !overflow;
	*val = v;
	return true;
}

static bool literal(struct cursor *c, const char *word)
{
	for (; *word; word++, c->i++)
		if (cur(c) != (uint32_t)*word)
			return false;
	return true;
}

static enum hibloc_err skip_value(struct cursor *c, int depth);

/* The members of an object or the items of an array, after the opening bracket. */
static enum hibloc_err skip_container(struct cursor *c, bool object, int depth)
{
	uint32_t close = object ? '}' : ']';
	enum hibloc_err e;

	if (depth > MAX_DEPTH)
		return HIBLOC_EDEPTH;
	if (eat(c, close))
		return HIBLOC_OK;
	do {
		if (object && (!string(c, NULL, 0, NULL) || !eat(c, ':')))
			return HIBLOC_ESYNTAX;
		e = skip_value(c, depth);
		if (e)
			return e;
	} while (eat(c, ','));
	return eat(c, close) ? HIBLOC_OK : HIBLOC_ESYNTAX;
}

static enum hibloc_err skip_value(struct cursor *c, int depth)
{
	uint64_t v;
	bool u;

	skip_ws(c);
	switch (cur(c)) {
	case '"':
		return string(c, NULL, 0, NULL) ? HIBLOC_OK : HIBLOC_ESYNTAX;
	case '{':
	case '[': {
		bool object = cur(c) == '{';
		c->i++;
		return skip_container(c, object, depth + 1);
	}
	case 't':
		return literal(c, "true") ? HIBLOC_OK : HIBLOC_ESYNTAX;
	case 'f':
		return literal(c, "false") ? HIBLOC_OK : HIBLOC_ESYNTAX;
	case 'n':
		return literal(c, "null") ? HIBLOC_OK : HIBLOC_ESYNTAX;
	default:
		return number(c, &v, &u) ? HIBLOC_OK : HIBLOC_ESYNTAX;
	}
}

/* The string-valued fields thaw keeps, by key. */
struct text_field {
	const char *key;
	size_t off;          /* offsetof the buffer in struct hibernate_location */
	size_t cap;
	uint32_t has;
};

static const struct text_field text_fields[] = {
	{ "uuid", offsetof(struct hibernate_location, uuid), HIBLOC_UUID_MAX, 0 },
	{ "kernelVersion", offsetof(struct hibernate_location, kernel_version),
	  HIBLOC_TEXT_MAX, HIBLOC_HAS_KERNEL },
	{ "osReleaseId", offsetof(struct hibernate_location, os_id), HIBLOC_TEXT_MAX,
	  HIBLOC_HAS_OS_ID },
	{ "osReleaseVersionId", offsetof(struct hibernate_location, os_version_id),
	  HIBLOC_TEXT_MAX, HIBLOC_HAS_OS_VERSION_ID },
	{ "osReleaseImageId", offsetof(struct hibernate_location, image_id), HIBLOC_TEXT_MAX,
	  HIBLOC_HAS_IMAGE_ID },
	{ "osReleaseImageVersion", offsetof(struct hibernate_location, image_version),
	  HIBLOC_TEXT_MAX, HIBLOC_HAS_IMAGE_VERSION },
};
#define N_TEXT (sizeof(text_fields) / sizeof(text_fields[0]))

/* Bits in *seen: one per text field (index), and one for "offset". */
#define SEEN_OFFSET (1u << N_TEXT)

static enum hibloc_err text_member(struct cursor *c, struct hibernate_location *out,
				   unsigned k, uint32_t *seen)
{
	const struct text_field *f = &text_fields[k];
	bool too_long = false;

	if (*seen & (1u << k))
		return HIBLOC_EDUP;
	*seen |= 1u << k;
	skip_ws(c);
	if (cur(c) != '"')
		return skip_value(c, 1) ? HIBLOC_ESYNTAX : HIBLOC_ETYPE;
	if (!string(c, (char *)out + f->off, f->cap, &too_long))
		return HIBLOC_ESYNTAX;
	out->has |= f->has;
	return too_long ? HIBLOC_ELONG : HIBLOC_OK;
}

static enum hibloc_err offset_member(struct cursor *c, struct hibernate_location *out,
				     uint32_t *seen)
{
	bool is_uint;

	if (*seen & SEEN_OFFSET)
		return HIBLOC_EDUP;
	*seen |= SEEN_OFFSET;
	skip_ws(c);
	if (cur(c) == '-' || (cur(c) >= '0' && cur(c) <= '9')) {
		if (!number(c, &out->offset, &is_uint))
			return HIBLOC_ESYNTAX;
		return is_uint ? HIBLOC_OK : HIBLOC_ETYPE;
	}
	return skip_value(c, 1) ? HIBLOC_ESYNTAX : HIBLOC_ETYPE;
}

/* One "key": value member of the top-level object. */
static enum hibloc_err member(struct cursor *c, struct hibernate_location *out, uint32_t *seen)
{
	char key[32];
	bool too_long = false;

	if (!string(c, key, sizeof(key), &too_long) || !eat(c, ':'))
		return HIBLOC_ESYNTAX;
	if (!too_long) {
		if (!strcmp(key, "offset"))
			return offset_member(c, out, seen);
		for (unsigned k = 0; k < N_TEXT; k++)
			if (!strcmp(key, text_fields[k].key))
				return text_member(c, out, k, seen);
	}
	return skip_value(c, 1);
}

static enum hibloc_err object(struct cursor *c, struct hibernate_location *out)
{
	uint32_t seen = 0;
	enum hibloc_err e;

	if (!eat(c, '{'))
		return HIBLOC_ESYNTAX;
	if (!eat(c, '}')) {
		do {
			e = member(c, out, &seen);
			if (e)
				return e;
		} while (eat(c, ','));
		if (!eat(c, '}'))
			return HIBLOC_ESYNTAX;
	}
	skip_ws(c);
	if (cur(c) != END)
		return HIBLOC_ESYNTAX;
	if (!(seen & 1u))
		return HIBLOC_ENOUUID;
	return seen & SEEN_OFFSET ? HIBLOC_OK : HIBLOC_ENOOFFSET;
}

enum hibloc_err hibloc_parse(const uint8_t *data, size_t len, struct hibernate_location *out)
{
	struct cursor c = { data, 0, 0 };

	memset(out, 0, sizeof(*out));
	if (len % 2)
		return HIBLOC_EUTF16;
	while (c.n < len / 2 && (data[2 * c.n] | data[2 * c.n + 1]))
		c.n++;
	if (c.n == len / 2)
		return HIBLOC_EUTF16;
	return object(&c, out);
}
