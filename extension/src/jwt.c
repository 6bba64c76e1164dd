/* jwt.c: HS256 JSON Web Tokens (RFC 7519): jwt_sign and jwt_verify */
#include "postgres.h"

#include "access/detoast.h"
#include "access/xact.h"
#include "common/hmac.h"
#include "common/jsonapi.h"
#include "common/sha2.h"
#include "datatype/timestamp.h"
#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

#include "base64url.h"
#include "guc.h"
#include "jwt.h"
#include "todo.h"

PG_FUNCTION_INFO_V1(jwt_sign);
PG_FUNCTION_INFO_V1(jwt_verify);

/* the only header we write, and the only algorithm we accept */
static const char JwtHeader[] = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";

#define JWT_MIN_SECRET_LENGTH	32
#define JWT_MAC_LENGTH			PG_SHA256_DIGEST_LENGTH
#define JWT_MAC_ENCODED_LENGTH	43	/* Base64UrlEncodedLength(32) */
/* numbers of the payload: 1e1000 is fine, 1e200000 is beyond numeric */
#define JWT_MAX_EXPONENT		1000

/* what JwtHeaderCheck gathers from the top level of the header object */
typedef struct JwtHeaderState
{
	JsonLexContext *lex;
	bool		is_object;		/* the header is an object */
	bool		in_alg;			/* parsing the value of a top-level "alg" */
	int			nalg;			/* number of top-level "alg" fields */
	bool		alg_hs256;		/* the last "alg" is the string "HS256" */
	bool		crit;			/* has a top-level "crit" field */
} JwtHeaderState;

/*
 * Refuse a token: TD401 with a short message that is safe to show to clients.
 */
void
JwtRefuse(const char *message)
{
	ereport(ERROR,
			(errcode(ERRCODE_TODO_UNAUTHORIZED),
			 errmsg_internal("%s", message)));
}

/*
 * The HMAC key: the bytes of todo.jwt_secret.  Unless the library was
 * preloaded, todo.jwt_secret may have been SET as a placeholder, which any
 * user may do, before the library defined it: refuse to work at all then.
 */
static const char *
JwtKey(size_t *keylen)
{
	if (!TodoLoadedAtStartup)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("todo must be loaded via shared_preload_libraries"),
				 errhint("Add todo to shared_preload_libraries in postgresql.conf and restart the server.")));

	if (TodoJwtSecret == NULL || TodoJwtSecret[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_CONFIG_FILE_ERROR),
				 errmsg("todo.jwt_secret is not set"),
				 errhint("Write a random string of at least %d bytes to a file only the server's user can read, and name it in todo.jwt_secret_file in postgresql.conf.",
						 JWT_MIN_SECRET_LENGTH)));

	*keylen = strlen(TodoJwtSecret);
	if (*keylen < JWT_MIN_SECRET_LENGTH)
		ereport(ERROR,
				(errcode(ERRCODE_CONFIG_FILE_ERROR),
				 errmsg("todo.jwt_secret is shorter than %d bytes",
						JWT_MIN_SECRET_LENGTH),
				 errhint("Write a random string of at least %d bytes to the file of todo.jwt_secret_file.",
						 JWT_MIN_SECRET_LENGTH)));

	return TodoJwtSecret;
}

/*
 * HMAC-SHA256 of data under key, into mac (JWT_MAC_LENGTH bytes).
 */
static void
JwtMac(const char *key, size_t keylen, const char *data, size_t len,
	   uint8 *mac)
{
	pg_hmac_ctx *ctx = pg_hmac_create(PG_SHA256);

	if (ctx == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory")));

	if (pg_hmac_init(ctx, (const uint8 *) key, keylen) < 0 ||
		pg_hmac_update(ctx, (const uint8 *) data, len) < 0 ||
		pg_hmac_final(ctx, mac, JWT_MAC_LENGTH) < 0)
	{
		char	   *reason = pstrdup(pg_hmac_error(ctx));

		pg_hmac_free(ctx);
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not compute HMAC-SHA256: %s", reason)));
	}
	pg_hmac_free(ctx);
}

/*
 * jwt_sign(claims jsonb) returns text
 *
 * An HS256 token carrying claims, which must be an object.  The payload is
 * the text form of the jsonb; the caller puts exp, iat, sub... in it.
 */
Datum
jwt_sign(PG_FUNCTION_ARGS)
{
	Jsonb	   *claims = PG_GETARG_JSONB_P(0);
	size_t		keylen;
	const char *key = JwtKey(&keylen);
	char	   *payload;
	int			headerlen = strlen(JwtHeader);
	int			payloadlen;
	int			signedlen;
	int			tokenlen;
	text	   *result;
	char	   *p;
	uint8		mac[JWT_MAC_LENGTH];

	if (!JB_ROOT_IS_OBJECT(claims))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("token claims must be a json object")));

	payload = JsonbToCString(NULL, &claims->root, VARSIZE(claims));
	payloadlen = strlen(payload);

	/* jwt_verify refuses longer tokens: check before encoding anything */
	if (payloadlen > JWT_MAX_TOKEN_LENGTH)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("token claims are too large")));

	signedlen = Base64UrlEncodedLength(headerlen) + 1 +
		Base64UrlEncodedLength(payloadlen);
	tokenlen = signedlen + 1 + JWT_MAC_ENCODED_LENGTH;
	if (tokenlen > JWT_MAX_TOKEN_LENGTH)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("token claims are too large"),
				 errdetail("The token would be %d bytes long; at most %d are accepted.",
						   tokenlen, JWT_MAX_TOKEN_LENGTH)));

	result = (text *) palloc(VARHDRSZ + tokenlen);
	SET_VARSIZE(result, VARHDRSZ + tokenlen);
	p = VARDATA(result);
	p += Base64UrlEncode((const uint8 *) JwtHeader, headerlen, p);
	*p++ = '.';
	p += Base64UrlEncode((const uint8 *) payload, payloadlen, p);
	Assert(p - VARDATA(result) == signedlen);

	JwtMac(key, keylen, VARDATA(result), signedlen, mac);
	*p++ = '.';
	p += Base64UrlEncode(mac, JWT_MAC_LENGTH, p);
	Assert(p - VARDATA(result) == tokenlen);

	PG_RETURN_TEXT_P(result);
}

static void
JwtHeaderObjectStart(void *state)
{
	JwtHeaderState *s = (JwtHeaderState *) state;

	if (s->lex->lex_level == 0)
		s->is_object = true;
}

static void
JwtHeaderFieldStart(void *state, char *fname, bool isnull)
{
	JwtHeaderState *s = (JwtHeaderState *) state;

	if (s->lex->lex_level != 1)
		return;
	s->in_alg = strcmp(fname, "alg") == 0;
	if (s->in_alg)
	{
		s->nalg++;
		s->alg_hs256 = false;
	}
	else if (strcmp(fname, "crit") == 0)
		s->crit = true;
}

static void
JwtHeaderFieldEnd(void *state, char *fname, bool isnull)
{
	JwtHeaderState *s = (JwtHeaderState *) state;

	if (s->lex->lex_level == 1)
		s->in_alg = false;
}

static void
JwtHeaderScalar(void *state, char *token, JsonTokenType tokentype)
{
	JwtHeaderState *s = (JwtHeaderState *) state;

	if (s->in_alg && s->lex->lex_level == 1)
		s->alg_hs256 = tokentype == JSON_TOKEN_STRING &&
			strcmp(token, "HS256") == 0;
}

/*
 * Check the decoded header: a JSON object with exactly one "alg", which is
 * "HS256", and no "crit" (we implement no extension, RFC 7515 4.1.11).
 *
 * The header is read before the signature is checked, so it is hostile input:
 * it is parsed with the JSON parser's error-returning interface rather than
 * jsonb_in, which raises errors of its own SQLSTATEs (a number like 1e200000
 * overflows numeric, for one).  Its size bounds the nesting depth.
 */
static void
JwtHeaderCheck(char *header, int len)
{
	JwtHeaderState state = {0};
	JsonSemAction sem = {0};
	JsonLexContext *lex;

	if (!pg_verifymbstr(header, len, true))
		JwtRefuse("invalid token");

	lex = makeJsonLexContextCstringLen(header, len, GetDatabaseEncoding(), true);
	state.lex = lex;
	sem.semstate = &state;
	sem.object_start = JwtHeaderObjectStart;
	sem.object_field_start = JwtHeaderFieldStart;
	sem.object_field_end = JwtHeaderFieldEnd;
	sem.scalar = JwtHeaderScalar;

	if (pg_parse_json(lex, &sem) != JSON_SUCCESS || !state.is_object)
		JwtRefuse("invalid token");
	if (state.nalg != 1 || !state.alg_hs256)
		JwtRefuse("token algorithm must be HS256");
	if (state.crit)
		JwtRefuse("invalid token");
}

static void
JwtPayloadScalar(void *state, char *token, JsonTokenType tokentype)
{
	bool	   *storable = (bool *) state;
	const char *e;
	int			exponent = 0;

	if (tokentype != JSON_TOKEN_NUMBER || (e = strpbrk(token, "eE")) == NULL)
		return;
	e++;
	if (*e == '+' || *e == '-')
		e++;
	for (; *e != '\0' && *storable; e++)
	{
		exponent = exponent * 10 + (*e - '0');
		if (exponent > JWT_MAX_EXPONENT)
			*storable = false;
	}
}

/*
 * A segment of a token (len bytes, NUL-terminated) as a jsonb object.  Our
 * payloads are signed with our key, so normally written by jwt_sign; other
 * issuers' headers and payloads (jws.c) are read before their signature is
 * checked.  Either way the text is checked with the error-returning parser
 * before jsonb_in, so that anything jsonb_in would refuse with an error of
 * its own (bad syntax, \u0000, a lone surrogate, a number out of numeric's
 * range) is refused as TD401 like any other bad token.
 */
Jsonb *
JwtParseObject(char *payload, int len)
{
	bool		storable = true;
	JsonSemAction sem = {0};
	JsonLexContext *lex;
	Jsonb	   *result;

	if (!pg_verifymbstr(payload, len, true))
		JwtRefuse("invalid token");

	/*
	 * Only the de-escaping lexer checks \u escapes (\u0000, surrogates); it
	 * costs a copy of every string, so it is used only when there is an escape.
	 */
	sem.semstate = &storable;
	sem.scalar = JwtPayloadScalar;
	lex = makeJsonLexContextCstringLen(payload, len, GetDatabaseEncoding(),
									   memchr(payload, '\\', len) != NULL);
	if (pg_parse_json(lex, &sem) != JSON_SUCCESS || !storable)
		JwtRefuse("invalid token");

	result = DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(payload)));
	if (!JB_ROOT_IS_OBJECT(result))
		JwtRefuse("invalid token");
	return result;
}

/*
 * A numeric claim (exp, nbf, iat) of the payload, or NULL when it is absent.
 * A claim of another type makes the token invalid.
 */
static Numeric
JwtNumericClaim(Jsonb *payload, const char *name)
{
	JsonbValue	value;
	JsonbValue *v = getKeyJsonValueFromContainer(&payload->root, name,
												 strlen(name), &value);

	if (v == NULL)
		return NULL;
	if (v->type != jbvNumeric)
		JwtRefuse("invalid token");
	return v->val.numeric;
}

static int
JwtNumericCmp(Numeric a, Numeric b)
{
	return DatumGetInt32(DirectFunctionCall2(numeric_cmp,
											 NumericGetDatum(a),
											 NumericGetDatum(b)));
}

/* does the string value v equal the NUL-terminated s? */
static bool
JwtStringEquals(JsonbValue *v, const char *s)
{
	int			len = strlen(s);

	return v->type == jbvString && v->val.string.len == len &&
		memcmp(v->val.string.val, s, len) == 0;
}

/*
 * Check the registered claims of a correctly signed payload.  now is the
 * start of the transaction, like SQL's now(): a request is one transaction.
 * Times are compared as numerics, exactly and without any overflow.
 */
static void
JwtClaimsCheck(Jsonb *payload)
{
	TimestampTz now = GetCurrentTransactionStartTimestamp();
	int64		unix_usecs = now +
		(int64) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * USECS_PER_DAY;
	int64		leeway_usecs = (int64) TodoJwtLeeway * USECS_PER_SEC;
	Numeric		exp,
				nbf,
				iat;
	JsonbValue	value;
	JsonbValue *v;

	/* expired when now > exp + leeway, i.e. exp < now - leeway */
	exp = JwtNumericClaim(payload, "exp");
	if (exp == NULL)
		JwtRefuse("token has no expiration time");
	if (JwtNumericCmp(exp, int64_div_fast_to_numeric(unix_usecs - leeway_usecs, 6)) < 0)
		JwtRefuse("token has expired");

	/* nbf and iat: refused when later than now + leeway */
	nbf = JwtNumericClaim(payload, "nbf");
	iat = JwtNumericClaim(payload, "iat");
	if (nbf != NULL || iat != NULL)
	{
		Numeric		latest = int64_div_fast_to_numeric(unix_usecs + leeway_usecs, 6);

		if (nbf != NULL && JwtNumericCmp(nbf, latest) > 0)
			JwtRefuse("token is not yet valid");
		if (iat != NULL && JwtNumericCmp(iat, latest) > 0)
			JwtRefuse("token was issued in the future");
	}

	if (TodoJwtIssuer != NULL && TodoJwtIssuer[0] != '\0')
	{
		v = getKeyJsonValueFromContainer(&payload->root, "iss", 3, &value);
		if (v == NULL || !JwtStringEquals(v, TodoJwtIssuer))
			JwtRefuse("token issuer does not match");
	}

	/* aud is one string or an array of strings (RFC 7519 4.1.3) */
	if (TodoJwtAudience != NULL && TodoJwtAudience[0] != '\0')
	{
		bool		match = false;

		v = getKeyJsonValueFromContainer(&payload->root, "aud", 3, &value);
		if (v != NULL && v->type == jbvString)
			match = JwtStringEquals(v, TodoJwtAudience);
		else if (v != NULL && v->type == jbvBinary &&
				 JsonContainerIsArray(v->val.binary.data))
		{
			JsonbValue	audience;

			audience.type = jbvString;
			audience.val.string.val = TodoJwtAudience;
			audience.val.string.len = strlen(TodoJwtAudience);
			match = findJsonbValueFromContainer(v->val.binary.data, JB_FARRAY,
												&audience) != NULL;
		}
		if (!match)
			JwtRefuse("token audience does not match");
	}
}

/*
 * The token of a SQL call (a text datum) split in its three segments,
 * header.payload.signature: *dot1 and *dot2 point at the two dots.  A value
 * longer than a token may be is refused before it is detoasted.
 */
text *
JwtSegments(Datum datum, const char **dot1, const char **dot2)
{
	text	   *token;
	const char *tok;
	int			len;

	if (toast_raw_datum_size(datum) > VARHDRSZ + JWT_MAX_TOKEN_LENGTH)
		JwtRefuse("invalid token");
	token = DatumGetTextPP(datum);
	tok = VARDATA_ANY(token);
	len = VARSIZE_ANY_EXHDR(token);

	*dot1 = memchr(tok, '.', len);
	if (*dot1 == NULL)
		JwtRefuse("invalid token");
	*dot2 = memchr(*dot1 + 1, '.', tok + len - (*dot1 + 1));
	if (*dot2 == NULL || memchr(*dot2 + 1, '.', tok + len - (*dot2 + 1)) != NULL)
		JwtRefuse("invalid token");
	return token;
}

/*
 * jwt_verify(token text) returns jsonb
 *
 * The claims of a valid token; any other token raises TD401.  The checks run
 * cheapest and least trusting first: shape, header, signature (in constant
 * time), and only then is the payload parsed and its claims checked.
 */
Datum
jwt_verify(PG_FUNCTION_ARGS)
{
	text	   *token;
	const char *tok;
	int			len;
	size_t		keylen;
	const char *key = JwtKey(&keylen);
	const char *dot1;
	const char *dot2;
	int			headerlen;
	int			payloadlen;
	char	   *buf;
	int			buflen;
	uint8		signature[JWT_MAC_LENGTH];
	uint8		mac[JWT_MAC_LENGTH];
	Jsonb	   *payload;

	token = JwtSegments(PG_GETARG_DATUM(0), &dot1, &dot2);
	tok = VARDATA_ANY(token);
	len = VARSIZE_ANY_EXHDR(token);
	headerlen = dot1 - tok;
	payloadlen = dot2 - (dot1 + 1);

	/* header */
	if (headerlen > JWT_MAX_HEADER_LENGTH ||
		(buflen = Base64UrlDecodedLength(headerlen)) < 0)
		JwtRefuse("invalid token");
	buf = palloc(buflen + 1);
	if (Base64UrlDecode(tok, headerlen, (uint8 *) buf) != buflen)
		JwtRefuse("invalid token");
	buf[buflen] = '\0';
	JwtHeaderCheck(buf, buflen);
	pfree(buf);

	/* signature, over the header and payload segments as sent */
	if (tok + len - (dot2 + 1) != JWT_MAC_ENCODED_LENGTH ||
		Base64UrlDecode(dot2 + 1, JWT_MAC_ENCODED_LENGTH, signature) != JWT_MAC_LENGTH)
		JwtRefuse("invalid token");
	JwtMac(key, keylen, tok, dot2 - tok, mac);
	if (timingsafe_bcmp(mac, signature, JWT_MAC_LENGTH) != 0)
		JwtRefuse("invalid token signature");

	/* payload */
	if ((buflen = Base64UrlDecodedLength(payloadlen)) < 0)
		JwtRefuse("invalid token");
	buf = palloc(buflen + 1);
	if (Base64UrlDecode(dot1 + 1, payloadlen, (uint8 *) buf) != buflen)
		JwtRefuse("invalid token");
	buf[buflen] = '\0';
	payload = JwtParseObject(buf, buflen);
	JwtClaimsCheck(payload);

	PG_RETURN_JSONB_P(payload);
}
