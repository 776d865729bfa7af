/* A small, bounded JSON parser (RFC 8259) for the LUKS2 metadata: the whole text is
 * checked, values land in a caller-given token array in document order, each token
 * knowing where its subtree ends. Never reads past len; depth and token count are
 * capped. Pure. */
#ifndef THAW_LUKS_JSON_H
#define THAW_LUKS_JSON_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum json_type { JSON_OBJECT = 1, JSON_ARRAY, JSON_STRING, JSON_NUMBER, JSON_TRUE,
		 JSON_FALSE, JSON_NULL };

struct json_tok {
	uint8_t type;
	uint32_t start, len;    /* the text (strings: inside the quotes, still escaped) */
	uint32_t count;         /* objects: members; arrays: elements */
	uint32_t next;          /* index of the first token after this subtree */
};

struct json_doc {
	const char *text;
	struct json_tok *tok;
	uint32_t ntok;
};

enum json_err {
	JSON_OK = 0,
	JSON_ESYNTAX,           /* not JSON */
	JSON_EDEPTH,            /* nested deeper than JSON_MAX_DEPTH */
	JSON_ETOKENS,           /* more values than the token array holds */
};

#define JSON_MAX_DEPTH 24

const char *json_strerror(enum json_err e);

/* Parse text[0..len) (a NUL ends it early: LUKS2 pads its JSON area with zeros). */
enum json_err json_parse(struct json_doc *d, const char *text, size_t len,
			 struct json_tok *tok, uint32_t cap);

/* Index of the value of member key in object obj, or -1. */
int32_t json_member(const struct json_doc *d, int32_t obj, const char *key);
/* Member i (0-based) of object obj: key and value token indices; false past the end. */
bool json_member_at(const struct json_doc *d, int32_t obj, uint32_t i, int32_t *key, int32_t *val);
/* Element i of array arr, or -1. */
int32_t json_element(const struct json_doc *d, int32_t arr, uint32_t i);

/* String value decoded (escapes, \u00xx) into out[size] with a NUL; false when t is
 * not a string, does not fit or holds a character above U+007F. */
bool json_string(const struct json_doc *d, int32_t t, char *out, size_t size);
bool json_string_is(const struct json_doc *d, int32_t t, const char *s);
/* An unsigned integer given as a number or as a decimal string (LUKS2 writes 64-bit
 * values as strings); false on anything else or on overflow. */
bool json_u64(const struct json_doc *d, int32_t t, uint64_t *out);

#endif
