/* base64url.h: base64url without padding, as JWTs use it */
#ifndef TODO_BASE64URL_H
#define TODO_BASE64URL_H

extern int	Base64UrlEncodedLength(int srclen);
extern int	Base64UrlEncode(const uint8 *src, int len, char *dst);
extern int	Base64UrlDecodedLength(int len);
extern int	Base64UrlDecode(const char *src, int len, uint8 *dst);

#endif							/* TODO_BASE64URL_H */
