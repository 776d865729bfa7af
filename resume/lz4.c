/* LZ4 raw block decompressor, written from the LZ4 Block Format description
 * (lz4/doc/lz4_Block_format.md): sequences of token, literals, 2-byte offset, match;
 * the last sequence has literals only. Every read and write is bounds-checked; the fast
 * path copies whole 8-byte words only where 32 bytes of slack are known to exist. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "resume/lz4.h"

#define LZ4_MIN_MATCH	4
#define LZ4_SLACK	32	/* room needed on both sides for the short-sequence path */

static inline void copy8(uint8_t *d, const uint8_t *s)
{
	uint64_t v;

	memcpy(&v, s, 8);
	memcpy(d, &v, 8);
}

/* 16 bytes at once (one vector move on the host, two words in the kernel); the source
 * must not overlap the destination. */
static inline void copy16(uint8_t *d, const uint8_t *s)
{
	uint8_t v[16];

	memcpy(v, s, 16);
	memcpy(d, v, 16);
}

/* Copy n bytes in 16-byte steps; may write up to 15 bytes past d + n (caller checked).
 * s may trail d by 16 or more (a match), never less. */
static inline void wild_copy(uint8_t *d, const uint8_t *s, size_t n)
{
	for (size_t i = 0; i < n; i += 16)
		copy16(d + i, s + i);
}

/* As wild_copy for a source only 8..15 bytes behind: word by word. */
static inline void wild_copy8(uint8_t *d, const uint8_t *s, size_t n)
{
	for (size_t i = 0; i < n; i += 8)
		copy8(d + i, s + i);
}

/* Match copy of n bytes from off back. Overlapping short offsets repeat a pattern of
 * period off: after 8 bytewise copies, copying from a multiple of off >= 8 back is exact. */
static inline void match_copy(uint8_t *op, size_t off, size_t n, size_t out_room)
{
	const uint8_t *m = op - off;
	size_t i = 0;

	if (out_room < n + 16) {
		for (; i < n; i++)
			op[i] = m[i];
		return;
	}
	if (off < 8) {
		for (; i < 8; i++)
			op[i] = m[i];
		off = off * (8 / off + (8 % off != 0));
		m = op - off;
	}
	if (i >= n)
		return;
	if (off >= 16)
		wild_copy(op + i, m + i, n - i);
	else
		wild_copy8(op + i, m + i, n - i);
}

/* Length continuation: add bytes while they are 255, then the last one. Bounded by
 * limit (the room left), so a hostile run of 255s ends early instead of overflowing. */
static enum img_err ext_len(const uint8_t **ipp, const uint8_t *ip_end, size_t *len,
			    size_t limit)
{
	const uint8_t *ip = *ipp;
	uint8_t b;

	do {
		if (ip >= ip_end)
			return IMG_ELZ4_INPUT;
		b = *ip++;
		*len += b;
		if (*len > limit)
			return IMG_ELZ4_OUTPUT;
	} while (b == 255);
	*ipp = ip;
	return IMG_OK;
}

enum img_err lz4_decode(const uint8_t *src, size_t src_len,
			uint8_t *dst, size_t dst_cap, size_t *dst_len)
{
	const uint8_t *ip = src, *const ip_end = src + src_len;
	uint8_t *op = dst, *const op_end = dst + dst_cap;
	enum img_err err = IMG_OK;

	for (;;) {
		size_t lit, len, off;
		unsigned int token;

		if (ip >= ip_end) {
			err = IMG_ELZ4_INPUT;
			break;
		}
		token = *ip++;
		lit = token >> 4;
		len = token & 15;
		/* Short sequence far from both ends: literals (<15) in one 16-byte copy; input
		 * remains after them, so an offset must follow. */
		if (lit < 15 && (size_t)(ip_end - ip) >= LZ4_SLACK &&
		    (size_t)(op_end - op) >= LZ4_SLACK) {
			copy16(op, ip);
			op += lit;
			ip += lit;
		} else {
			if (lit == 15 && (err = ext_len(&ip, ip_end, &lit, dst_cap)))
				break;
			if (lit > (size_t)(ip_end - ip)) {
				err = IMG_ELZ4_INPUT;
				break;
			}
			if (lit > (size_t)(op_end - op)) {
				err = IMG_ELZ4_OUTPUT;
				break;
			}
			if ((size_t)(ip_end - ip) >= lit + 16 && (size_t)(op_end - op) >= lit + 16)
				wild_copy(op, ip, lit);
			else
				memcpy(op, ip, lit);
			ip += lit;
			op += lit;
			if (ip == ip_end)
				break;		/* the last sequence: literals only */
		}
		if (ip_end - ip < 2) {
			err = IMG_ELZ4_INPUT;
			break;
		}
		off = ip[0] | (size_t)ip[1] << 8;
		ip += 2;
		if (!off || off > (size_t)(op - dst)) {
			err = IMG_ELZ4_OFFSET;
			break;
		}
		/* Short match (<= 18 bytes) from at least 8 back, with room: three words. */
		if (len < 15 && off >= 8 && (size_t)(op_end - op) >= LZ4_SLACK) {
			const uint8_t *m = op - off;

			copy8(op, m);
			copy8(op + 8, m + 8);
			copy8(op + 16, m + 16);
			op += len + LZ4_MIN_MATCH;
			continue;
		}
		if (len == 15 && (err = ext_len(&ip, ip_end, &len, dst_cap)))
			break;
		len += LZ4_MIN_MATCH;
		if (len > (size_t)(op_end - op)) {
			err = IMG_ELZ4_OUTPUT;
			break;
		}
		match_copy(op, off, len, (size_t)(op_end - op));
		op += len;
	}
	*dst_len = (size_t)(op - dst);
	return err;
}
