/* LZO1X decompressor, written from the bitstream description in Linux
 * Documentation/staging/lzo.rst (instruction encodings, states, end marker) with the
 * checks of lib/lzo/lzo1x_decompress_safe.c. Every read and write is bounds-checked;
 * word copies (resume/lzcopy.h) only run where the slack for them is known to exist. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "image/lzcopy.h"
#include "image/lzo1x.h"

#define LZO_M2_MAX_OFFSET	2048	/* 3-byte match after a long literal run: 2049+ */
#define LZO_M4_BASE		16384	/* M4 distance base; exactly this = end marker */

/* Extended length: zero bytes count 255 each, then a non-zero byte (lzo.rst). The
 * result never exceeds what fits in dst, so it cannot overflow. */
static enum img_err ext_len(const uint8_t **ipp, const uint8_t *ip_end, size_t base,
			    size_t dst_cap, size_t *len)
{
	const uint8_t *ip = *ipp;
	size_t zeros = 0;

	for (;;) {
		if (ip >= ip_end)
			return IMG_ELZO_INPUT;
		if (*ip)
			break;
		ip++;
		if (++zeros > dst_cap / 255)
			return IMG_ELZO_OUTPUT;
	}
	*len = base + zeros * 255 + *ip++;
	*ipp = ip;
	return IMG_OK;
}

/* One loop over the instructions, kept whole on purpose: the decoder state (ip, op,
 * state) stays in registers, and every branch is one instruction form of lzo.rst. */
enum img_err lzo1x_decode(const uint8_t *src, size_t src_len,
			      uint8_t *dst, size_t dst_cap, size_t *dst_len)
{
	const uint8_t *ip = src, *const ip_end = src + src_len;
	uint8_t *op = dst, *const op_end = dst + dst_cap;
	size_t t, len, dist, next;
	unsigned int state = 0;	/* literals copied by the last instruction: 0, 1-3, 4 = many */
	enum img_err err = IMG_OK;

#define IN_ROOM		((size_t)(ip_end - ip))
#define OUT_ROOM	((size_t)(op_end - op))
#define NEED_IN(n)	do { if ((size_t)(n) > IN_ROOM) { err = IMG_ELZO_INPUT; goto out; } } while (0)
#define NEED_OUT(n)	do { if ((size_t)(n) > OUT_ROOM) { err = IMG_ELZO_OUTPUT; goto out; } } while (0)

	NEED_IN(1);
	/* First byte 18..255: a literal run of byte - 17 bytes without an instruction. */
	if (*ip > 17) {
		t = *ip++ - 17u;
		NEED_IN(t);
		NEED_OUT(t);
		lz_copy_literals(op, ip, t, IN_ROOM, OUT_ROOM);
		ip += t;
		op += t;
		state = t < 4 ? (unsigned int)t : 4;
	}
	for (;;) {
		NEED_IN(1);
		t = *ip++;
		if (t < 16) {
			if (state == 0) {
				/* 0000LLLL: literal run of 3 + L (L = 0: 18 + extended). */
				len = t + 3;
				if (!t && (err = ext_len(&ip, ip_end, 18, dst_cap, &len)))
					goto out;
				NEED_IN(len);
				NEED_OUT(len);
				lz_copy_literals(op, ip, len, IN_ROOM, OUT_ROOM);
				ip += len;
				op += len;
				state = 4;
				continue;
			}
			/* 0000DDSS + H: after 1-3 literals a 2-byte match within 1 KiB; after a
			 * long literal run a 3-byte match at 2049..3072. */
			NEED_IN(1);
			dist = ((size_t)*ip++ << 2) + (t >> 2) + 1;
			len = 2;
			if (state == 4) {
				dist += LZO_M2_MAX_OFFSET;
				len = 3;
			}
			next = t & 3;
		} else if (t < 32) {
			/* 0001HLLL + LE16 DDDDDDDD DDDDDDSS: 16..48 KiB; distance 16384 = end. */
			len = t & 7;
			if (!len && (err = ext_len(&ip, ip_end, 7, dst_cap, &len)))
				goto out;
			len += 2;
			NEED_IN(2);
			next = ip[0] & 3;
			dist = LZO_M4_BASE + ((t & 8) << 11) + ((ip[0] | (size_t)ip[1] << 8) >> 2);
			ip += 2;
			if (dist == LZO_M4_BASE) {
				/* Linux: the end marker is 0x11 0x00 0x00 (t == 3 at eof_found). */
				if (len != 3)
					err = IMG_ELZO_EOF;
				else if (ip != ip_end)
					err = IMG_ELZO_TRAILING;
				goto out;
			}
		} else if (t < 64) {
			/* 001LLLLL + LE16: distance up to 16 KiB, length 2 + L (L = 0: 33 + ext). */
			len = t & 31;
			if (!len && (err = ext_len(&ip, ip_end, 31, dst_cap, &len)))
				goto out;
			len += 2;
			NEED_IN(2);
			next = ip[0] & 3;
			dist = ((ip[0] | (size_t)ip[1] << 8) >> 2) + 1;
			ip += 2;
		} else {
			/* 01LDDDSS / 1LLDDDSS + H: length 3..8, distance up to 2 KiB. */
			NEED_IN(1);
			len = (t >> 5) + 1;
			dist = ((size_t)*ip++ << 3) + ((t >> 2) & 7) + 1;
			next = t & 3;
		}
		if (dist > (size_t)(op - dst)) {
			err = IMG_ELZO_LOOKBEHIND;
			goto out;
		}
		NEED_OUT(len);
		lz_copy_match(op, dist, len, OUT_ROOM);
		op += len;
		/* SS: 0-3 literals follow the match directly. */
		state = (unsigned int)next;
		if (next) {
			NEED_IN(next);
			NEED_OUT(next);
			lz_copy_literals(op, ip, next, IN_ROOM, OUT_ROOM);
			ip += next;
			op += next;
		}
	}
out:
	*dst_len = (size_t)(op - dst);
	return err;
#undef IN_ROOM
#undef OUT_ROOM
#undef NEED_IN
#undef NEED_OUT
}
