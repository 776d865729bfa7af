/* \_S5_ from DSDT bytes: the `Name(_S5_, Package(){...})` that every firmware with
 * soft-off emits, decoded per ACPI 6.4 §20.2 (NameOp 0x08, PackageOp 0x12, PkgLength,
 * NumElements, then integer data objects). Pure; bounds checked by remaining length. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "kernel/aml_s5.h"

#define AML_NAME_OP     0x08
#define AML_PACKAGE_OP  0x12
#define AML_ZERO_OP     0x00
#define AML_ONE_OP      0x01
#define AML_BYTE_PREFIX 0x0A
#define AML_WORD_PREFIX 0x0B
#define AML_ROOT_CHAR   '\\'

/* One integer element at *p; advances *p. False for anything else. */
static bool read_int(const uint8_t **p, const uint8_t *end, uint8_t *out)
{
	const uint8_t *q = *p;

	if (q >= end)
		return false;
	if (*q == AML_ZERO_OP || *q == AML_ONE_OP) {
		*out = *q;
		*p = q + 1;
		return true;
	}
	if ((*q == AML_BYTE_PREFIX && end - q >= 2) || (*q == AML_WORD_PREFIX && end - q >= 3)) {
		*out = q[1];    /* SLP_TYP is 3 bits; the low byte holds it */
		*p = q + (*q == AML_BYTE_PREFIX ? 2 : 3);
		return true;
	}
	return false;
}

/* After "_S5_": PackageOp, PkgLength (§20.2.4: lead byte bits 7-6 = extra bytes),
 * NumElements, then at least two integers. */
static bool decode_package(const uint8_t *p, const uint8_t *end, uint8_t *a, uint8_t *b)
{
	size_t extra;

	if (p >= end || *p++ != AML_PACKAGE_OP || p >= end)
		return false;
	extra = *p >> 6;
	if ((size_t)(end - p) < extra + 2)
		return false;
	p += 1 + extra;
	if (*p++ < 2)           /* NumElements */
		return false;
	return read_int(&p, end, a) && read_int(&p, end, b);
}

bool aml_find_s5(const uint8_t *aml, size_t len, uint8_t *slp_typa, uint8_t *slp_typb)
{
	const uint8_t *end = aml + len;

	for (size_t i = 1; len >= 4 && i <= len - 4; i++) {
		if (memcmp(aml + i, "_S5_", 4))
			continue;
		/* Only a definition counts: NameOp right before, or before a root prefix. */
		bool named = aml[i - 1] == AML_NAME_OP ||
			     (i >= 2 && aml[i - 1] == AML_ROOT_CHAR && aml[i - 2] == AML_NAME_OP);
		if (named && decode_package(aml + i + 4, end, slp_typa, slp_typb))
			return true;
	}
	return false;
}
