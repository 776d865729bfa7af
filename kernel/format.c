/* The printf subset thaw uses: %d %i %u %x %X %o %c %s %p %%, flags '-' '0', width,
 * precision for %s, length modifiers hh h l ll z. Pure; see kernel/format.h. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "kernel/format.h"

struct spec {
	bool left;          /* '-' */
	bool zero;          /* '0' */
	int width;
	int precision;      /* -1: none */
	int length;         /* 0 int, 1 long, 2 long long, -1 short, -2 char, 3 size_t */
};

struct out {
	format_sink sink;
	void *ctx;
	int count;
};

static void put(struct out *o, char c)
{
	o->sink(o->ctx, c);
	o->count++;
}

static void pad(struct out *o, char c, int n)
{
	while (n-- > 0)
		put(o, c);
}

/* Emit the digits of v in base; sign and "0x" prefix go before zero padding. */
static void put_number(struct out *o, const struct spec *s, uint64_t v, unsigned base,
		       bool upper, const char *prefix)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0, plen = 0;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	while (prefix[plen])
		plen++;

	int fill = s->width - n - plen;
	if (!s->left && !s->zero)
		pad(o, ' ', fill);
	for (int i = 0; i < plen; i++)
		put(o, prefix[i]);
	if (!s->left && s->zero)
		pad(o, '0', fill);
	while (n)
		put(o, tmp[--n]);
	if (s->left)
		pad(o, ' ', fill);
}

static void put_string(struct out *o, const struct spec *s, const char *str)
{
	int n = 0;

	if (!str)
		str = "(null)";
	while (str[n] && (s->precision < 0 || n < s->precision))
		n++;
	if (!s->left)
		pad(o, ' ', s->width - n);
	for (int i = 0; i < n; i++)
		put(o, str[i]);
	if (s->left)
		pad(o, ' ', s->width - n);
}

static int64_t fetch_signed(const struct spec *s, va_list *ap)
{
	switch (s->length) {
	case -2: return (signed char)va_arg(*ap, int);
	case -1: return (short)va_arg(*ap, int);
	case 1: return va_arg(*ap, long);
	case 2: return va_arg(*ap, long long);
	case 3: return (int64_t)va_arg(*ap, size_t);
	default: return va_arg(*ap, int);
	}
}

static uint64_t fetch_unsigned(const struct spec *s, va_list *ap)
{
	switch (s->length) {
	case -2: return (unsigned char)va_arg(*ap, unsigned);
	case -1: return (unsigned short)va_arg(*ap, unsigned);
	case 1: return va_arg(*ap, unsigned long);
	case 2: return va_arg(*ap, unsigned long long);
	case 3: return va_arg(*ap, size_t);
	default: return va_arg(*ap, unsigned);
	}
}

/* Parse flags, width, precision and length after '%'; returns the conversion char. */
static const char *parse_spec(const char *f, struct spec *s, va_list *ap)
{
	*s = (struct spec){ .precision = -1 };
	for (;; f++) {
		if (*f == '-')
			s->left = true;
		else if (*f == '0')
			s->zero = true;
		else
			break;
	}
	if (*f == '*') {
		s->width = va_arg(*ap, int);
		f++;
	}
	while (*f >= '0' && *f <= '9')
		s->width = s->width * 10 + (*f++ - '0');
	if (*f == '.') {
		s->precision = 0;
		f++;
		if (*f == '*') {
			s->precision = va_arg(*ap, int);
			f++;
		}
		while (*f >= '0' && *f <= '9')
			s->precision = s->precision * 10 + (*f++ - '0');
	}
	if (*f == 'h') {
		s->length = (f[1] == 'h') ? -2 : -1;
		f += (f[1] == 'h') ? 2 : 1;
	} else if (*f == 'l') {
		s->length = (f[1] == 'l') ? 2 : 1;
		f += (f[1] == 'l') ? 2 : 1;
	} else if (*f == 'z') {
		s->length = 3;
		f++;
	}
	return f;
}

static void convert(struct out *o, const struct spec *s, char c, va_list *ap)
{
	int64_t sv;

	switch (c) {
	case 'd':
	case 'i':
		sv = fetch_signed(s, ap);
		put_number(o, s, sv < 0 ? -(uint64_t)sv : (uint64_t)sv, 10, false,
			   sv < 0 ? "-" : "");
		break;
	case 'u': put_number(o, s, fetch_unsigned(s, ap), 10, false, ""); break;
	case 'x': put_number(o, s, fetch_unsigned(s, ap), 16, false, ""); break;
	case 'X': put_number(o, s, fetch_unsigned(s, ap), 16, true, ""); break;
	case 'o': put_number(o, s, fetch_unsigned(s, ap), 8, false, ""); break;
	case 'p':
		put_number(o, s, (uintptr_t)va_arg(*ap, void *), 16, false, "0x");
		break;
	case 'c': put(o, (char)va_arg(*ap, int)); break;
	case 's': put_string(o, s, va_arg(*ap, const char *)); break;
	case '%': put(o, '%'); break;
	default:
		put(o, '%');
		if (c)
			put(o, c);
		break;
	}
}

int format_emit(format_sink sink, void *ctx, const char *fmt, va_list ap)
{
	struct out o = { sink, ctx, 0 };
	struct spec s;
	va_list args;

	va_copy(args, ap);
	while (*fmt) {
		if (*fmt != '%') {
			put(&o, *fmt++);
			continue;
		}
		fmt = parse_spec(fmt + 1, &s, &args);
		convert(&o, &s, *fmt, &args);
		if (*fmt)
			fmt++;
	}
	va_end(args);
	return o.count;
}
