/* Recursive descent over LVM2's configuration syntax with explicit depth and node
 * bounds; every read of the text checks its end. */
#include "lvm/lvm_text.h"
#include <string.h>

struct parser {
	const char *s;
	uint32_t pos, end;
	struct lvm_node *node;
	uint32_t n, cap;
};

static int peek(const struct parser *p)
{
	return p->pos < p->end ? (unsigned char)p->s[p->pos] : -1;
}

static void skip_space(struct parser *p)
{
	for (;;) {
		int c = peek(p);

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			p->pos++;
		} else if (c == '#') {
			while (peek(p) >= 0 && peek(p) != '\n')
				p->pos++;
		} else {
			return;
		}
	}
}

static bool ident_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '.' || c == '+' || c == '-';
}

static int32_t new_node(struct parser *p, uint8_t type)
{
	if (p->n >= p->cap)
		return -1;
	p->node[p->n] = (struct lvm_node){ .type = type, .start = p->pos };
	return (int32_t)p->n++;
}

static bool scalar(struct parser *p, uint32_t name, uint32_t name_len)
{
	int c = peek(p);
	int32_t t;

	if (c == '"') {
		p->pos++;
		if ((t = new_node(p, LVM_STRING)) < 0)
			return false;
		while ((c = peek(p)) != '"') {
			if (c < 0)
				return false;
			p->pos += c == '\\' && p->pos + 1 < p->end ? 2 : 1;
		}
		p->node[t].len = p->pos - p->node[t].start;
		p->pos++;
	} else {
		if ((t = new_node(p, LVM_INT)) < 0)
			return false;
		if (peek(p) == '-')
			p->pos++;
		while ((peek(p) >= '0' && peek(p) <= '9') || peek(p) == '.')
			p->pos++;
		p->node[t].len = p->pos - p->node[t].start;
		if (!p->node[t].len)
			return false;
	}
	p->node[t].name = name, p->node[t].name_len = name_len;
	p->node[t].next = p->n;
	return true;
}

static bool list(struct parser *p, uint32_t name, uint32_t name_len)
{
	int32_t t = new_node(p, LVM_LIST);

	if (t < 0)
		return false;
	p->pos++;
	skip_space(p);
	while (peek(p) != ']') {
		if (p->node[t].count) {
			if (peek(p) != ',')
				return false;
			p->pos++;
			skip_space(p);
		}
		if (!scalar(p, 0, 0))
			return false;
		p->node[t].count++;
		skip_space(p);
	}
	p->pos++;
	p->node[t].name = name, p->node[t].name_len = name_len;
	p->node[t].len = p->pos - p->node[t].start;
	p->node[t].next = p->n;
	return true;
}

/* Items until '}' (inside a section) or the end of the text (top level). */
static bool items(struct parser *p, int32_t sec, unsigned depth)
{
	for (;;) {
		uint32_t name, name_len;

		skip_space(p);
		if (peek(p) < 0 || peek(p) == '}')
			return (peek(p) == '}') == (depth > 0);
		name = p->pos;
		while (ident_char(peek(p)))
			p->pos++;
		name_len = p->pos - name;
		if (!name_len)
			return false;
		skip_space(p);
		if (peek(p) == '{') {
			int32_t t;

			if (depth + 1 >= LVM_TEXT_MAX_DEPTH || (t = new_node(p, LVM_SECTION)) < 0)
				return false;
			p->pos++;
			if (!items(p, t, depth + 1))
				return false;
			p->pos++;                       /* the '}' */
			p->node[t].name = name, p->node[t].name_len = name_len;
			p->node[t].len = p->pos - p->node[t].start;
			p->node[t].next = p->n;
		} else if (peek(p) == '=') {
			p->pos++;
			skip_space(p);
			if (!(peek(p) == '[' ? list(p, name, name_len) : scalar(p, name, name_len)))
				return false;
		} else {
			return false;
		}
		p->node[sec].count++;
	}
}

bool lvm_text_parse(struct lvm_doc *d, const char *text, size_t len, struct lvm_node *node,
		    uint32_t cap)
{
	struct parser p = { .s = text, .node = node, .cap = cap };

	len = strnlen(text, len);
	if (len > 0x7fffffff || !cap)
		return false;
	p.end = (uint32_t)len;
	new_node(&p, LVM_SECTION);
	if (!items(&p, 0, 0))
		return false;
	node[0].len = p.end;
	node[0].next = p.n;
	*d = (struct lvm_doc){ .text = text, .node = node, .n = p.n };
	return true;
}

static bool valid(const struct lvm_doc *d, int32_t n, uint8_t type)
{
	return n >= 0 && (uint32_t)n < d->n && d->node[n].type == type;
}

int32_t lvm_item_at(const struct lvm_doc *d, int32_t sec, uint32_t i)
{
	uint32_t k;

	if (!valid(d, sec, LVM_SECTION) || i >= d->node[sec].count)
		return -1;
	k = (uint32_t)sec + 1;
	for (uint32_t n = 0; n < i; n++)
		k = d->node[k].next;
	return (int32_t)k;
}

int32_t lvm_item(const struct lvm_doc *d, int32_t sec, const char *name)
{
	int32_t k;

	for (uint32_t i = 0; (k = lvm_item_at(d, sec, i)) >= 0; i++)
		if (lvm_name_is(d, k, name))
			return k;
	return -1;
}

int32_t lvm_element(const struct lvm_doc *d, int32_t list, uint32_t i)
{
	if (!valid(d, list, LVM_LIST) || i >= d->node[list].count)
		return -1;
	return list + 1 + (int32_t)i;           /* elements are scalars: one node each */
}

bool lvm_name_is(const struct lvm_doc *d, int32_t n, const char *name)
{
	size_t l = strlen(name);

	return n >= 0 && (uint32_t)n < d->n && d->node[n].name_len == l &&
	       !memcmp(d->text + d->node[n].name, name, l);
}

bool lvm_name(const struct lvm_doc *d, int32_t n, char *out, size_t size)
{
	if (n < 0 || (uint32_t)n >= d->n || d->node[n].name_len >= size)
		return false;
	memcpy(out, d->text + d->node[n].name, d->node[n].name_len);
	out[d->node[n].name_len] = 0;
	return true;
}

bool lvm_int(const struct lvm_doc *d, int32_t n, uint64_t *out)
{
	uint64_t v = 0;

	if (!valid(d, n, LVM_INT) || !d->node[n].len)
		return false;
	for (uint32_t i = 0; i < d->node[n].len; i++) {
		char c = d->text[d->node[n].start + i];

		if (c < '0' || c > '9' || v > (UINT64_MAX - (uint64_t)(c - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(c - '0');
	}
	*out = v;
	return true;
}

bool lvm_str(const struct lvm_doc *d, int32_t n, char *out, size_t size)
{
	size_t k = 0;

	if (!valid(d, n, LVM_STRING) || !size)
		return false;
	for (uint32_t i = 0; i < d->node[n].len; i++) {
		char c = d->text[d->node[n].start + i];

		if (c == '\\' && i + 1 < d->node[n].len)
			c = d->text[d->node[n].start + ++i];
		if (k + 1 >= size)
			return false;
		out[k++] = c;
	}
	out[k] = 0;
	return true;
}

bool lvm_str_is(const struct lvm_doc *d, int32_t n, const char *s)
{
	char buf[136];

	return strlen(s) < sizeof(buf) && lvm_str(d, n, buf, sizeof(buf)) && !strcmp(buf, s);
}

bool lvm_list_has(const struct lvm_doc *d, int32_t list, const char *s)
{
	int32_t e;

	for (uint32_t i = 0; (e = lvm_element(d, list, i)) >= 0; i++)
		if (lvm_str_is(d, e, s))
			return true;
	return false;
}
