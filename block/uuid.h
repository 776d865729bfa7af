/* UUID text ↔ bytes. Swap UUIDs (libuuid) are stored in text order; GPT GUIDs store
 * their first three fields little-endian (UEFI 2.x Appendix A), which is how Linux
 * prints PARTUUID (block/partitions/efi.c uses efi_guid_to_str → %pUl). */
#ifndef THAW_UUID_H
#define THAW_UUID_H
#include <stdbool.h>
#include <stdint.h>

enum uuid_order { UUID_BYTES_AS_TEXT, UUID_GUID_MIXED_ENDIAN };

#define UUID_TEXT_LEN 36

/* Parse exactly 36 characters "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (any case). */
bool uuid_parse(const char *text, enum uuid_order order, uint8_t out[16]);

/* Lower-case text form into out[UUID_TEXT_LEN + 1]. */
void uuid_format(const uint8_t u[16], enum uuid_order order, char *out);

#endif
