/* The few <string.h> functions thaw's freestanding build provides (lib/string.c).
 * Pure modules include <string.h>; on the host they get the C library's. */
#ifndef THAW_LIB_STRING_H
#define THAW_LIB_STRING_H
#include <stddef.h>

void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);

#endif
