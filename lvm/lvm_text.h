/* A bounded parser for LVM2's metadata text (lib/config/config.c's format: sections
 * "name { ... }", assignments "key = value", values integers, "strings" or [lists],
 * '#' comments). Nodes land in a caller-given array in document order; never reads
 * past len. Pure. */
#ifndef THAW_LVM_TEXT_H
#define THAW_LVM_TEXT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum lvm_node_type { LVM_SECTION = 1, LVM_INT, LVM_STRING, LVM_LIST };

struct lvm_node {
	uint8_t type;
	uint32_t name, name_len;        /* key or section name (0, 0 for list items) */
	uint32_t start, len;            /* value text (strings: inside the quotes) */
	uint32_t count;                 /* sections: items; lists: elements */
	uint32_t next;                  /* first node after this subtree */
};

struct lvm_doc {
	const char *text;
	struct lvm_node *node;          /* node[0]: the whole text, a section */
	uint32_t n;
};

#define LVM_TEXT_MAX_DEPTH 16

/* false when the text is malformed, nested too deeply or needs more than cap nodes. */
bool lvm_text_parse(struct lvm_doc *d, const char *text, size_t len, struct lvm_node *node,
		    uint32_t cap);

int32_t lvm_item_at(const struct lvm_doc *d, int32_t sec, uint32_t i);  /* -1 past end */
int32_t lvm_item(const struct lvm_doc *d, int32_t sec, const char *name);
int32_t lvm_element(const struct lvm_doc *d, int32_t list, uint32_t i);
bool lvm_name_is(const struct lvm_doc *d, int32_t n, const char *name);
bool lvm_name(const struct lvm_doc *d, int32_t n, char *out, size_t size);
bool lvm_int(const struct lvm_doc *d, int32_t n, uint64_t *out);      /* non-negative */
bool lvm_str(const struct lvm_doc *d, int32_t n, char *out, size_t size);
bool lvm_str_is(const struct lvm_doc *d, int32_t n, const char *s);
/* A list of strings holding s (status flags). */
bool lvm_list_has(const struct lvm_doc *d, int32_t list, const char *s);

#endif
