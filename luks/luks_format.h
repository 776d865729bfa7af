/* LUKS on-disk headers (layout only). LUKS1: "LUKS1 On-Disk Format Specification"
 * v1.2.3 §2.4 (big-endian fields); LUKS2: "LUKS2 On-Disk Format Specification" v1.1
 * §2 (binary header, then JSON metadata, both copied twice). */
#ifndef THAW_LUKS_FORMAT_H
#define THAW_LUKS_FORMAT_H
#include <stddef.h>
#include <stdint.h>

#define LUKS_MAGIC_LEN 6
#define LUKS_MAGIC "LUKS\xba\xbe"          /* LUKS1, and the LUKS2 primary header */
#define LUKS2_MAGIC_2ND "SKUL\xba\xbe"     /* LUKS2 secondary header */
#define LUKS_SECTOR 512

#define LUKS1_SLOTS 8
#define LUKS1_SLOT_ACTIVE 0x00ac71f3u
#define LUKS1_SLOT_INACTIVE 0x0000deadu
#define LUKS1_DIGEST 20

struct luks1_keyslot {
	uint32_t active;                /* 0: LUKS1_SLOT_ACTIVE / _INACTIVE */
	uint32_t iterations;            /* 4: PBKDF2 */
	uint8_t salt[32];               /* 8 */
	uint32_t material_offset;       /* 40: sectors */
	uint32_t stripes;               /* 44: AF stripes */
};
_Static_assert(sizeof(struct luks1_keyslot) == 48, "luks1 keyslot");

struct luks1_phdr {
	uint8_t magic[6];               /* 0 */
	uint16_t version;               /* 6: 1 */
	char cipher_name[32];           /* 8: "aes" */
	char cipher_mode[32];           /* 40: "xts-plain64" */
	char hash_spec[32];             /* 72: "sha256" */
	uint32_t payload_offset;        /* 104: sectors */
	uint32_t key_bytes;             /* 108 */
	uint8_t mk_digest[20];          /* 112 */
	uint8_t mk_digest_salt[32];     /* 132 */
	uint32_t mk_digest_iter;        /* 164 */
	char uuid[40];                  /* 168 */
	struct luks1_keyslot slots[8];  /* 208 */
} __attribute__((packed));
_Static_assert(offsetof(struct luks1_phdr, cipher_name) == 8, "luks1 cipher_name");
_Static_assert(offsetof(struct luks1_phdr, payload_offset) == 104, "luks1 payload");
_Static_assert(offsetof(struct luks1_phdr, mk_digest_iter) == 164, "luks1 mk iter");
_Static_assert(offsetof(struct luks1_phdr, uuid) == 168, "luks1 uuid");
_Static_assert(offsetof(struct luks1_phdr, slots) == 208, "luks1 slots");
_Static_assert(sizeof(struct luks1_phdr) == 592, "luks1 header");

#define LUKS2_BIN_SIZE 4096

struct luks2_bin_hdr {
	uint8_t magic[6];               /* 0: LUKS_MAGIC or LUKS2_MAGIC_2ND */
	uint16_t version;               /* 6: 2 */
	uint64_t hdr_size;              /* 8: binary header + JSON area, bytes */
	uint64_t seqid;                 /* 16: increased on every update */
	char label[48];                 /* 24 */
	char checksum_alg[32];          /* 72: "sha256" */
	uint8_t salt[64];               /* 104 */
	char uuid[40];                  /* 168 */
	char subsystem[48];             /* 208 */
	uint64_t hdr_offset;            /* 256: this header's offset on the device */
	uint8_t pad0[184];              /* 264 */
	uint8_t csum[64];               /* 448: over hdr_size bytes with this zeroed */
	uint8_t pad1[7 * 512];          /* 512 */
} __attribute__((packed));
_Static_assert(offsetof(struct luks2_bin_hdr, hdr_size) == 8, "luks2 hdr_size");
_Static_assert(offsetof(struct luks2_bin_hdr, checksum_alg) == 72, "luks2 csum_alg");
_Static_assert(offsetof(struct luks2_bin_hdr, uuid) == 168, "luks2 uuid");
_Static_assert(offsetof(struct luks2_bin_hdr, hdr_offset) == 256, "luks2 hdr_offset");
_Static_assert(offsetof(struct luks2_bin_hdr, csum) == 448, "luks2 csum");
_Static_assert(sizeof(struct luks2_bin_hdr) == LUKS2_BIN_SIZE, "luks2 binary header");

/* The sizes a LUKS2 header (binary + JSON) may have (spec §2.1): 16 KiB .. 4 MiB,
 * powers of two; the secondary header starts right after the primary. */
#define LUKS2_HDR_MIN (16u << 10)
#define LUKS2_HDR_MAX (4u << 20)

#endif
