/* Copy helpers shared by the LZO1X and LZ4 decoders: literal runs and overlapping
 * matches in 8/16-byte words, staying inside the room the caller proves. A "room" is
 * how many bytes may be touched from the pointer on; words may overshoot the copy's
 * own length but never the room. Fixed-size copies use __builtin_memcpy so they stay
 * single moves under -ffreestanding (which implies -fno-builtin). */
#ifndef THAW_LZCOPY_H
#define THAW_LZCOPY_H
#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline void lz_copy8(uint8_t *d, const uint8_t *s)
{
	uint64_t v;

	__builtin_memcpy(&v, s, 8);
	__builtin_memcpy(d, &v, 8);
}

/* One vector move on the host, two words in the kernel; s must not overlap d. */
static inline void lz_copy16(uint8_t *d, const uint8_t *s)
{
	uint8_t v[16];

	__builtin_memcpy(v, s, 16);
	__builtin_memcpy(d, v, 16);
}

/* n literals from s (in_room readable) to d (out_room writable); n <= both rooms. */
static inline void lz_copy_literals(uint8_t *d, const uint8_t *s, size_t n, size_t in_room,
				    size_t out_room)
{
	if (in_room >= n + 16 && out_room >= n + 16) {
		for (size_t i = 0; i < n; i += 16)
			lz_copy16(d + i, s + i);
	} else {
		memcpy(d, s, n);
	}
}

/* n bytes from off back (1 <= off <= bytes already written before op), n <= out_room.
 * The output repeats with period off: offsets 1, 2 and 4 become a constant 8-byte word
 * (stored without loads); other short offsets are widened to a multiple >= 8 of off. */
static inline void lz_copy_match(uint8_t *op, size_t off, size_t n, size_t out_room)
{
	const uint8_t *m = op - off;
	size_t i = 0, lim = out_room >= n + 16 ? n : (out_room > 15 ? out_room - 15 : 0);

	if (lim > n)
		lim = n;
	if (off < 8) {
		for (; i < n && i < 8; i++)
			op[i] = m[i];
		if (i < 8)
			return;		/* the whole match was shorter than a word */
		if (8 % off == 0) {
			uint64_t w;

			__builtin_memcpy(&w, op, 8);
			for (; i < lim; i += 16) {
				__builtin_memcpy(op + i, &w, 8);
				__builtin_memcpy(op + i + 8, &w, 8);
			}
		} else {
			off *= 8 / off + 1;
			m = op - off;
		}
	}
	if (off >= 16) {
		for (; i < lim; i += 16)
			lz_copy16(op + i, m + i);
	} else {
		for (; i < lim; i += 16) {
			lz_copy8(op + i, m + i);
			lz_copy8(op + i + 8, m + i + 8);
		}
	}
	for (; i < n; i++)
		op[i] = m[i];
}

#endif
