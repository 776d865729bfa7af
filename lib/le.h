/* Little-endian loads: from byte buffers at any alignment (get_le*), and of a field
 * in a struct memcpy'd from disk or firmware (le*): the one way thaw reads them. */
#ifndef THAW_LIB_LE_H
#define THAW_LIB_LE_H
#include <stdint.h>
#include <string.h>

static inline uint16_t get_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t get_le64(const uint8_t *p)
{
	return (uint64_t)get_le32(p) | (uint64_t)get_le32(p + 4) << 32;
}

/* A struct field as stored (little-endian) → its value. */
static inline uint16_t le16(uint16_t stored)
{
	uint8_t b[2];

	memcpy(b, &stored, sizeof(b));
	return get_le16(b);
}

static inline uint32_t le32(uint32_t stored)
{
	uint8_t b[4];

	memcpy(b, &stored, sizeof(b));
	return get_le32(b);
}

static inline uint64_t le64(uint64_t stored)
{
	uint8_t b[8];

	memcpy(b, &stored, sizeof(b));
	return get_le64(b);
}

#endif
