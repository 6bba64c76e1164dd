/* jwt.h: what jwt.c shares with jws.c (reading tokens, refusing them) */
#ifndef TODO_JWT_H
#define TODO_JWT_H

#include "fmgr.h"
#include "utils/jsonb.h"

/* most bytes of a token we read at all */
#define JWT_MAX_TOKEN_LENGTH	8192
/* a real header is some 40 characters; this also bounds its JSON nesting */
#define JWT_MAX_HEADER_LENGTH	1024

extern void JwtRefuse(const char *message) pg_attribute_noreturn();
extern Jsonb *JwtParseObject(char *text, int len);
extern text *JwtSegments(Datum datum, const char **dot1, const char **dot2);

#endif							/* TODO_JWT_H */
