/* base64url.c: base64url without padding (RFC 4648, section 5), as JWTs use it */
#include "postgres.h"

#include "base64url.h"

static const char Base64UrlAlphabet[] =
"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* value of each ASCII character in the alphabet, -1 if it is not in it */
static const int8 Base64UrlValue[128] = {
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 62, -1, -1,
	52, 53, 54, 55, 56, 57, 58, 59, 60, 61, -1, -1, -1, -1, -1, -1,
	-1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
	15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, -1, -1, -1, -1, 63,
	-1, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
	41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, -1, -1, -1, -1, -1,
};

/* number of characters that Base64UrlEncode writes for srclen bytes */
int
Base64UrlEncodedLength(int srclen)
{
	return (srclen / 3) * 4 + (srclen % 3 == 0 ? 0 : srclen % 3 + 1);
}

/*
 * Encode len bytes of src into dst, which must have room for
 * Base64UrlEncodedLength(len) characters; no terminating zero is written.
 * Returns the number of characters written.
 */
int
Base64UrlEncode(const uint8 *src, int len, char *dst)
{
	char	   *p = dst;
	int			i;

	for (i = 0; i + 2 < len; i += 3)
	{
		uint32		bits = (src[i] << 16) | (src[i + 1] << 8) | src[i + 2];

		*p++ = Base64UrlAlphabet[(bits >> 18) & 0x3F];
		*p++ = Base64UrlAlphabet[(bits >> 12) & 0x3F];
		*p++ = Base64UrlAlphabet[(bits >> 6) & 0x3F];
		*p++ = Base64UrlAlphabet[bits & 0x3F];
	}
	if (len - i == 1)
	{
		uint32		bits = src[i] << 16;

		*p++ = Base64UrlAlphabet[(bits >> 18) & 0x3F];
		*p++ = Base64UrlAlphabet[(bits >> 12) & 0x3F];
	}
	else if (len - i == 2)
	{
		uint32		bits = (src[i] << 16) | (src[i + 1] << 8);

		*p++ = Base64UrlAlphabet[(bits >> 18) & 0x3F];
		*p++ = Base64UrlAlphabet[(bits >> 12) & 0x3F];
		*p++ = Base64UrlAlphabet[(bits >> 6) & 0x3F];
	}
	return p - dst;
}

/*
 * Number of bytes that len characters of base64url decode to, or -1 when no
 * unpadded encoding has that length.
 */
int
Base64UrlDecodedLength(int len)
{
	if (len < 0 || len % 4 == 1)
		return -1;
	return (len / 4) * 3 + (len % 4 == 0 ? 0 : len % 4 - 1);
}

/*
 * Decode len characters of src into dst, which must have room for
 * Base64UrlDecodedLength(len) bytes.  Strict: only the 64 characters of the
 * alphabet are accepted (no padding, no whitespace, no '+' or '/'), and the
 * unused low bits of the last character must be zero, so that every byte
 * string has exactly one accepted encoding.  Returns the number of bytes
 * written, or -1 if src is not such an encoding.
 */
int
Base64UrlDecode(const char *src, int len, uint8 *dst)
{
	const unsigned char *in = (const unsigned char *) src;
	uint8	   *p = dst;
	int			rest = len % 4;
	int			i;
	int32		a,
				b,
				c,
				d;

	if (Base64UrlDecodedLength(len) < 0)
		return -1;

#define VALUE(ch) ((ch) < 128 ? Base64UrlValue[(ch)] : -1)

	for (i = 0; i < len - rest; i += 4)
	{
		a = VALUE(in[i]);
		b = VALUE(in[i + 1]);
		c = VALUE(in[i + 2]);
		d = VALUE(in[i + 3]);
		if ((a | b | c | d) < 0)
			return -1;
		*p++ = (uint8) ((a << 2) | (b >> 4));
		*p++ = (uint8) ((b << 4) | (c >> 2));
		*p++ = (uint8) ((c << 6) | d);
	}

	/* 2 or 3 characters left: 1 or 2 bytes, the unused low bits zero */
	if (rest >= 2)
	{
		a = VALUE(in[i]);
		b = VALUE(in[i + 1]);
		c = rest == 3 ? VALUE(in[i + 2]) : 0;
		if ((a | b | c) < 0)
			return -1;
		*p++ = (uint8) ((a << 2) | (b >> 4));
		if (rest == 3)
		{
			*p++ = (uint8) ((b << 4) | (c >> 2));
			if ((c & 0x03) != 0)
				return -1;
		}
		else if ((b & 0x0F) != 0)
			return -1;
	}

#undef VALUE

	return p - dst;
}
