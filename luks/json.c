/* Recursive descent over RFC 8259's grammar with an explicit depth bound; every
 * read of the text is checked against its end. */
#include "luks/json.h"
#include <string.h>

struct parser {
	const char *s;
	uint32_t pos, end;
	struct json_tok *tok;
	uint32_t ntok, cap;
};

const char *json_strerror(enum json_err e)
{
	switch (e) {
	case JSON_OK: return "ok";
	case JSON_ESYNTAX: return "malformed JSON";
	case JSON_EDEPTH: return "JSON nested too deeply";
	case JSON_ETOKENS: return "JSON has too many values";
	}
	return "unknown JSON error";
}

static void skip_ws(struct parser *p)
{
	while (p->pos < p->end && (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' ||
				   p->s[p->pos] == '\n' || p->s[p->pos] == '\r'))
		p->pos++;
}

static int peek(const struct parser *p)
{
	return p->pos < p->end ? (unsigned char)p->s[p->pos] : -1;
}

static enum json_err new_tok(struct parser *p, uint8_t type, uint32_t *idx)
{
	if (p->ntok >= p->cap)
		return JSON_ETOKENS;
	*idx = p->ntok++;
	p->tok[*idx] = (struct json_tok){ .type = type, .start = p->pos };
	return JSON_OK;
}

static bool is_hex(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static enum json_err parse_string(struct parser *p)
{
	uint32_t t;
	enum json_err e;

	p->pos++;                                   /* the opening quote */
	if ((e = new_tok(p, JSON_STRING, &t)))
		return e;
	for (;;) {
		int c = peek(p);

		if (c < 0x20)                       /* end of text, or a control char */
			return JSON_ESYNTAX;
		p->pos++;
		if (c == '"')
			break;
		if (c != '\\')
			continue;
		c = peek(p);
		if (c < 0 || !strchr("\"\\/bfnrtu", c))
			return JSON_ESYNTAX;
		p->pos++;
		if (c == 'u') {
			for (unsigned i = 0; i < 4; i++, p->pos++)
				if (!is_hex(peek(p)))
					return JSON_ESYNTAX;
		}
	}
	p->tok[t].len = p->pos - 1 - p->tok[t].start;
	p->tok[t].next = p->ntok;
	return JSON_OK;
}

static bool digits(struct parser *p)
{
	uint32_t from = p->pos;

	while (peek(p) >= '0' && peek(p) <= '9')
		p->pos++;
	return p->pos > from;
}

static enum json_err parse_number(struct parser *p)
{
	uint32_t t;
	enum json_err e;

	if ((e = new_tok(p, JSON_NUMBER, &t)))
		return e;
	if (peek(p) == '-')
		p->pos++;
	if (peek(p) == '0')
		p->pos++;
	else if (!digits(p))
		return JSON_ESYNTAX;
	if (peek(p) == '.') {
		p->pos++;
		if (!digits(p))
			return JSON_ESYNTAX;
	}
	if (peek(p) == 'e' || peek(p) == 'E') {
		p->pos++;
		if (peek(p) == '+' || peek(p) == '-')
			p->pos++;
		if (!digits(p))
			return JSON_ESYNTAX;
	}
	p->tok[t].len = p->pos - p->tok[t].start;
	p->tok[t].next = p->ntok;
	return JSON_OK;
}

static enum json_err parse_word(struct parser *p, const char *w, uint8_t type)
{
	size_t n = strlen(w);
	uint32_t t;
	enum json_err e;

	if (n > p->end - p->pos || memcmp(p->s + p->pos, w, n))
		return JSON_ESYNTAX;
	if ((e = new_tok(p, type, &t)))
		return e;
	p->pos += (uint32_t)n;
	p->tok[t].len = (uint32_t)n;
	p->tok[t].next = p->ntok;
	return JSON_OK;
}

static enum json_err parse_value(struct parser *p, unsigned depth);

/* Objects and arrays: members separated by commas, keys (objects) strings. */
static enum json_err parse_container(struct parser *p, unsigned depth, bool object)
{
	uint32_t t;
	enum json_err e;
	int close = object ? '}' : ']';

	if (depth >= JSON_MAX_DEPTH)
		return JSON_EDEPTH;
	if ((e = new_tok(p, object ? JSON_OBJECT : JSON_ARRAY, &t)))
		return e;
	p->pos++;
	skip_ws(p);
	if (peek(p) == close) {
		p->pos++;
	} else {
		for (;;) {
			skip_ws(p);
			if (object) {
				if (peek(p) != '"')
					return JSON_ESYNTAX;
				if ((e = parse_string(p)))
					return e;
				skip_ws(p);
				if (peek(p) != ':')
					return JSON_ESYNTAX;
				p->pos++;
			}
			if ((e = parse_value(p, depth + 1)))
				return e;
			p->tok[t].count++;
			skip_ws(p);
			if (peek(p) == ',') {
				p->pos++;
				continue;
			}
			if (peek(p) != close)
				return JSON_ESYNTAX;
			p->pos++;
			break;
		}
	}
	p->tok[t].len = p->pos - p->tok[t].start;
	p->tok[t].next = p->ntok;
	return JSON_OK;
}

static enum json_err parse_value(struct parser *p, unsigned depth)
{
	int c;

	skip_ws(p);
	c = peek(p);
	if (c == '{' || c == '[')
		return parse_container(p, depth, c == '{');
	if (c == '"')
		return parse_string(p);
	if (c == '-' || (c >= '0' && c <= '9'))
		return parse_number(p);
	if (c == 't')
		return parse_word(p, "true", JSON_TRUE);
	if (c == 'f')
		return parse_word(p, "false", JSON_FALSE);
	if (c == 'n')
		return parse_word(p, "null", JSON_NULL);
	return JSON_ESYNTAX;
}

enum json_err json_parse(struct json_doc *d, const char *text, size_t len,
			 struct json_tok *tok, uint32_t cap)
{
	struct parser p = { .s = text, .tok = tok, .cap = cap };
	enum json_err e;

	len = strnlen(text, len);
	if (len > 0x7fffffff)
		return JSON_ESYNTAX;
	p.end = (uint32_t)len;
	if ((e = parse_value(&p, 0)))
		return e;
	skip_ws(&p);
	if (p.pos != p.end)
		return JSON_ESYNTAX;
	*d = (struct json_doc){ .text = text, .tok = tok, .ntok = p.ntok };
	return JSON_OK;
}

bool json_member_at(const struct json_doc *d, int32_t obj, uint32_t i, int32_t *key, int32_t *val)
{
	uint32_t k;

	if (obj < 0 || (uint32_t)obj >= d->ntok || d->tok[obj].type != JSON_OBJECT ||
	    i >= d->tok[obj].count)
		return false;
	k = (uint32_t)obj + 1;
	for (uint32_t n = 0; n < i; n++)
		k = d->tok[k + 1].next;
	*key = (int32_t)k, *val = (int32_t)k + 1;
	return true;
}

int32_t json_member(const struct json_doc *d, int32_t obj, const char *key)
{
	int32_t k, v;

	for (uint32_t i = 0; json_member_at(d, obj, i, &k, &v); i++)
		if (json_string_is(d, k, key))
			return v;
	return -1;
}

int32_t json_element(const struct json_doc *d, int32_t arr, uint32_t i)
{
	uint32_t k;

	if (arr < 0 || (uint32_t)arr >= d->ntok || d->tok[arr].type != JSON_ARRAY ||
	    i >= d->tok[arr].count)
		return -1;
	k = (uint32_t)arr + 1;
	for (uint32_t n = 0; n < i; n++)
		k = d->tok[k].next;
	return (int32_t)k;
}

static unsigned hexval(char c)
{
	return c <= '9' ? (unsigned)(c - '0') : (unsigned)((c | 0x20) - 'a' + 10);
}

bool json_string(const struct json_doc *d, int32_t t, char *out, size_t size)
{
	static const char esc[] = "\"\"\\\\//b\bf\fn\nr\rt\t";
	const char *s, *e;
	size_t n = 0;

	if (t < 0 || (uint32_t)t >= d->ntok || d->tok[t].type != JSON_STRING || !size)
		return false;
	s = d->text + d->tok[t].start, e = s + d->tok[t].len;
	while (s < e) {
		char c = *s++;

		if (c == '\\') {          /* the parser checked the escape is complete */
			char k = *s++;

			if (k == 'u') {
				unsigned v = hexval(s[0]) << 12 | hexval(s[1]) << 8 |
					     hexval(s[2]) << 4 | hexval(s[3]);
				if (v == 0 || v > 0x7f)
					return false;
				c = (char)v, s += 4;
			} else {
				c = strchr(esc, k)[1];
			}
		} else if ((unsigned char)c > 0x7f) {
			return false;
		}
		if (n + 1 >= size)
			return false;
		out[n++] = c;
	}
	out[n] = 0;
	return true;
}

bool json_string_is(const struct json_doc *d, int32_t t, const char *s)
{
	char buf[64];

	return strlen(s) < sizeof(buf) && json_string(d, t, buf, sizeof(buf)) && !strcmp(buf, s);
}

bool json_u64(const struct json_doc *d, int32_t t, uint64_t *out)
{
	char buf[24];
	uint64_t v = 0;

	if (t < 0 || (uint32_t)t >= d->ntok)
		return false;
	if (d->tok[t].type == JSON_NUMBER) {
		if (d->tok[t].len >= sizeof(buf))
			return false;
		memcpy(buf, d->text + d->tok[t].start, d->tok[t].len);
		buf[d->tok[t].len] = 0;
	} else if (!json_string(d, t, buf, sizeof(buf))) {
		return false;
	}
	if (!buf[0])
		return false;
	for (const char *c = buf; *c; c++) {
		if (*c < '0' || *c > '9' || v > (UINT64_MAX - (uint64_t)(*c - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(*c - '0');
	}
	*out = v;
	return true;
}
