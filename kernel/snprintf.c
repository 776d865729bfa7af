/* ksnprintf/kvsnprintf: bounded formatting into a buffer, always NUL-terminated
 * when size > 0; returns the length the full output would have had (C99 7.19.6.5). */
#include <stddef.h>
#include "kernel/format.h"

struct bufsink {
	char *buf;
	size_t size, pos;
};

static void buf_sink(void *ctx, char c)
{
	struct bufsink *b = ctx;

	if (b->pos + 1 < b->size)
		b->buf[b->pos] = c;
	b->pos++;
}

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct bufsink b = { buf, size, 0 };
	int n = format_emit(buf_sink, &b, fmt, ap);

	if (size)
		buf[b.pos < size ? b.pos : size - 1] = '\0';
	return n;
}

int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
