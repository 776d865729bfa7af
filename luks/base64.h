/* Base64 decoding (RFC 4648 §4, padded) for the salts and digests of LUKS2 JSON. */
#ifndef THAW_LUKS_BASE64_H
#define THAW_LUKS_BASE64_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Decode s (NUL-terminated, length a multiple of 4); false on a bad character, bad
 * padding or more than cap bytes. */
bool base64_decode(const char *s, uint8_t *out, size_t cap, size_t *outlen);

#endif
