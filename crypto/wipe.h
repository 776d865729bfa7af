/* Wiping secrets: a zeroing loop through a volatile pointer plus a compiler barrier,
 * so the stores survive dead-store elimination (the effect of explicit_bzero). */
#ifndef THAW_CRYPTO_WIPE_H
#define THAW_CRYPTO_WIPE_H
#include <stddef.h>
#include <stdint.h>

static inline void crypto_wipe(void *p, size_t n)
{
	volatile uint8_t *v = (volatile uint8_t *)p;

	while (n--)
		*v++ = 0;
	__asm__ __volatile__("" : : "r"(p) : "memory");
}

/* Compare n bytes in time independent of where they differ; 0 when equal. */
static inline int crypto_neq(const uint8_t *a, const uint8_t *b, size_t n)
{
	uint8_t d = 0;

	for (size_t i = 0; i < n; i++)
		d |= a[i] ^ b[i];
	return d != 0;
}

#endif
