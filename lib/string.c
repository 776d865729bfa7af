/* Freestanding memcpy/memset & co. for the thaw kernel. gcc may emit calls to the
 * first four on its own, so they must exist even if no thaw code names them. */
#include <stdint.h>
#include <string.h>

/* 8-byte moves for the bulk, bytes for the tail: rep movsb/stosb cost one emulated
 * iteration per byte under QEMU's TCG (lib/page.h has the measurements). */
typedef uint64_t __attribute__((may_alias, aligned(1))) word_u;

__attribute__((optimize("no-tree-loop-distribute-patterns")))
void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	for (; n >= 32; n -= 32, d += 32, s += 32) {
		uint64_t a = ((const word_u *)s)[0], b = ((const word_u *)s)[1];
		uint64_t c = ((const word_u *)s)[2], e = ((const word_u *)s)[3];

		((word_u *)d)[0] = a;
		((word_u *)d)[1] = b;
		((word_u *)d)[2] = c;
		((word_u *)d)[3] = e;
	}
	for (; n >= 8; n -= 8, d += 8, s += 8)
		*(word_u *)d = *(const word_u *)s;
	while (n--)
		*d++ = *s++;
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d <= s || d >= s + n)
		return memcpy(dst, src, n);
	while (n--)
		d[n] = s[n];
	return dst;
}

__attribute__((optimize("no-tree-loop-distribute-patterns")))
void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;
	uint64_t v = (unsigned char)c * 0x0101010101010101ull;

	for (; n >= 32; n -= 32, d += 32) {
		((word_u *)d)[0] = v;
		((word_u *)d)[1] = v;
		((word_u *)d)[2] = v;
		((word_u *)d)[3] = v;
	}
	for (; n >= 8; n -= 8, d += 8)
		*(word_u *)d = v;
	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *p = a, *q = b;

	for (size_t i = 0; i < n; i++)
		if (p[i] != q[i])
			return p[i] - q[i];
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		if (!*a)
			return 0;
	}
	return 0;
}

char *strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}
