/* LZ4 raw block decompressor, written from the LZ4 Block Format description
 * (lz4/doc/lz4_Block_format.md): sequences of token, literals, 2-byte offset, match;
 * the last sequence has literals only. Every read and write is bounds-checked; word
 * copies (resume/lzcopy.h) only run where the slack for them is known to exist. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "image/lz4.h"
#include "image/lzcopy.h"

#define LZ4_MIN_MATCH	4
#define LZ4_SLACK	32	/* room needed on both sides for the short-sequence path */

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

/* One loop over the sequences, kept whole on purpose (ip/op stay in registers): token,
 * literals (short fast path or checked copy), offset, match (short fast path or
 * lz_copy_match). */
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
			lz_copy16(op, ip);
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
			lz_copy_literals(op, ip, lit, (size_t)(ip_end - ip), (size_t)(op_end - op));
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
		/* Short match (<= 18 bytes) with room: from 18+ back the source lies wholly
		 * before op, so load everything first (no store-to-load stalls); from 8..17
		 * back copy word by word so each word sees the one just written. */
		if (len < 15 && off >= 8 && (size_t)(op_end - op) >= LZ4_SLACK) {
			const uint8_t *m = op - off;

			if (off >= 18) {
				uint8_t v[24];

				__builtin_memcpy(v, m, 24);
				__builtin_memcpy(op, v, 24);
			} else {
				lz_copy8(op, m);
				lz_copy8(op + 8, m + 8);
				lz_copy8(op + 16, m + 16);
			}
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
		lz_copy_match(op, off, len, (size_t)(op_end - op));
		op += len;
	}
	*dst_len = (size_t)(op - dst);
	return err;
}
