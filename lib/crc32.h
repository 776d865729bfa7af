/* CRC-32, IEEE 802.3 polynomial, reflected (0xEDB88320), slicing-by-16. Tables are
 * static const, generated at build time (scripts/gen_crc32_table.py). */
#ifndef THAW_CRC32_H
#define THAW_CRC32_H
#include <stddef.h>
#include <stdint.h>

/* Linux crc32_le(): no pre/post inversion. The hibernation stream CRC is
 * crc32_le(0, stream...) chained over the uncompressed pages (kernel/power/swap.c). */
uint32_t crc32_le(uint32_t crc, const void *buf, size_t len);

/* zlib crc32(): crc32(0, buf, len) is the standard CRC-32 (GPT, e820 checksum);
 * chain by passing the previous result. Equals ~crc32_le(~crc, buf, len). */
uint32_t crc32(uint32_t crc, const void *buf, size_t len);

/* The CRC of A||B from crc(A), crc(B) and len(B) bytes, for either function above
 * (each part computed from the same seed as a whole message: 0 for both). Lets
 * chunks be checksummed apart, on any CPU, and joined in stream order. */
uint32_t crc32_combine(uint32_t crc_a, uint32_t crc_b, uint64_t len_b);

#endif
