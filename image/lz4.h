/* LZ4 raw block decompressor (no frame; Linux 6.9+ hibernation with flag 16). Contract:
 * for ANY input bytes it reads only src[0, src_len) and writes only dst[0, dst_cap);
 * every block liblz4's LZ4_decompress_safe() accepts decodes to the same bytes here,
 * except that a match offset of 0 (forbidden by the format, never produced by a
 * compressor; liblz4's fast path copies undefined bytes for it) is IMG_ELZ4_OFFSET. */
#ifndef THAW_LZ4_H
#define THAW_LZ4_H
#include <stddef.h>
#include <stdint.h>
#include "image/img_err.h"

/* On success *dst_len = bytes produced. Errors: IMG_ELZ4_INPUT, IMG_ELZ4_OUTPUT,
 * IMG_ELZ4_OFFSET. */
enum img_err lz4_decode(const uint8_t *src, size_t src_len,
			    uint8_t *dst, size_t dst_cap, size_t *dst_len);

#endif
