/* LZO1X decompressor (plain LZO1X-1 bitstream as Linux's hibernation writes it; not
 * lzo-rle). Contract: for ANY input bytes it reads only src[0, src_len) and writes only
 * dst[0, dst_cap); it accepts a stream only if liblzo2's lzo1x_decompress_safe() accepts
 * it with the same output, and additionally requires Linux's end marker (length 3). */
#ifndef THAW_LZO1X_H
#define THAW_LZO1X_H
#include <stddef.h>
#include <stdint.h>
#include "image/img_err.h"

/* On success *dst_len = bytes produced. On failure *dst_len = bytes produced so far.
 * Errors: IMG_ELZO_INPUT, IMG_ELZO_OUTPUT, IMG_ELZO_LOOKBEHIND, IMG_ELZO_TRAILING,
 * IMG_ELZO_EOF. */
enum img_err lzo1x_decode(const uint8_t *src, size_t src_len,
			      uint8_t *dst, size_t dst_cap, size_t *dst_len);

#endif
