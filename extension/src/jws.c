/*
 * jws.c: tokens of other issuers (RFC 7515 JWS, RFC 7517 JWK, RFC 7518 and
 * RFC 8037 algorithms), checked with OpenSSL 3: jws_decode, jwk_algorithms,
 * jws_verify.  Which issuer and key a token needs, and its claims, are SQL's
 * (36_authenticate.sql); this file only reads tokens and keys and checks
 * signatures.
 */
#include "postgres.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"

#include "base64url.h"
#include "jwt.h"
#include "todo.h"

PG_FUNCTION_INFO_V1(jws_decode);
PG_FUNCTION_INFO_V1(jwk_algorithms);
PG_FUNCTION_INFO_V1(jws_verify);

/* RSA moduli we accept, in bits: below 2048 is breakable, above 8192 only costly */
#define JWK_RSA_MIN_BITS	2048
#define JWK_RSA_MAX_BITS	8192
/* an RSA public exponent longer than this is not a real one */
#define JWK_RSA_MAX_E_BYTES	8
/* an HS256 secret must be at least as long as ours (jwt.c) */
#define JWK_OCT_MIN_BYTES	32
#define JWK_OCT_MAX_BYTES	1024
/* the longest base64url field we decode: an 8192-bit modulus */
#define JWK_MAX_FIELD_CHARS	1366

typedef enum JwkKind
{
	JWK_OKP,					/* Ed25519 (RFC 8037) */
	JWK_EC,						/* ECDSA on a NIST curve */
	JWK_RSA,					/* RSA, PKCS#1 v1.5 or PSS */
	JWK_OCT						/* a shared secret (HS256) */
} JwkKind;

/* the algorithms we verify, and what each needs of its key */
typedef struct JwsAlgorithm
{
	const char *name;			/* "alg" of the header */
	JwkKind		kind;
	const char *crv;			/* OKP, EC: the key's "crv" */
	const char *group;			/* EC: OpenSSL's name of the curve */
	int			coordlen;		/* OKP: the key's length; EC: a coordinate's */
	const EVP_MD *(*digest) (void); /* NULL: none (Ed25519 hashes itself) */
	bool		pss;			/* RSA: PSS rather than PKCS#1 v1.5 */
} JwsAlgorithm;

static const JwsAlgorithm JwsAlgorithms[] = {
	{"EdDSA", JWK_OKP, "Ed25519", NULL, 32, NULL, false},
	{"ES256", JWK_EC, "P-256", "prime256v1", 32, EVP_sha256, false},
	{"ES384", JWK_EC, "P-384", "secp384r1", 48, EVP_sha384, false},
	{"ES512", JWK_EC, "P-521", "secp521r1", 66, EVP_sha512, false},
	{"RS256", JWK_RSA, NULL, NULL, 0, EVP_sha256, false},
	{"RS384", JWK_RSA, NULL, NULL, 0, EVP_sha384, false},
	{"RS512", JWK_RSA, NULL, NULL, 0, EVP_sha512, false},
	{"PS256", JWK_RSA, NULL, NULL, 0, EVP_sha256, true},
	{"PS384", JWK_RSA, NULL, NULL, 0, EVP_sha384, true},
	{"PS512", JWK_RSA, NULL, NULL, 0, EVP_sha512, true},
	{"HS256", JWK_OCT, NULL, NULL, 0, EVP_sha256, false},
};

#define JWS_ALGORITHMS	((int) lengthof(JwsAlgorithms))

/* a key read from its JWK, its fields decoded (palloc'd) */
typedef struct Jwk
{
	JwkKind		kind;
	/* which of JwsAlgorithms the key may verify */
	bool		allowed[JWS_ALGORITHMS];
	uint8	   *a;				/* OKP, EC: x; RSA: n; oct: k */
	int			alen;
	uint8	   *b;				/* EC: y; RSA: e */
	int			blen;
	const JwsAlgorithm *curve;	/* OKP, EC: the one algorithm of its curve */
} Jwk;

/*
 * The string member name of object jwk, or NULL when it is absent or not a
 * string.  *len is its length (the value is not NUL-terminated).
 */
static const char *
JwkString(Jsonb *jwk, const char *name, int *len)
{
	JsonbValue	value;
	JsonbValue *v = getKeyJsonValueFromContainer(&jwk->root, name, strlen(name), &value);

	if (v == NULL || v->type != jbvString)
		return NULL;
	*len = v->val.string.len;
	return v->val.string.val;
}

static bool
JwkStringIs(Jsonb *jwk, const char *name, const char *expected)
{
	int			len;
	const char *s = JwkString(jwk, name, &len);

	return s != NULL && len == (int) strlen(expected) && memcmp(s, expected, len) == 0;
}

/*
 * The bytes of base64url member name, between min and max of them; NULL when
 * absent, not strictly base64url, or of another length.
 */
static uint8 *
JwkBytes(Jsonb *jwk, const char *name, int min, int max, int *len)
{
	int			chars;
	const char *s = JwkString(jwk, name, &chars);
	uint8	   *bytes;

	if (s == NULL || chars > JWK_MAX_FIELD_CHARS)
		return NULL;
	*len = Base64UrlDecodedLength(chars);
	if (*len < min || *len > max)
		return NULL;
	bytes = palloc(*len + 1);
	if (Base64UrlDecode(s, chars, bytes) != *len)
		return NULL;
	return bytes;
}

/*
 * Read a JWK (RFC 7517) into key: its type, its public parts, and which
 * algorithms it may verify.  The algorithm comes from the key, never from a
 * token: "kty" and "crv" fix it for OKP and EC keys; an RSA key allows RS*
 * and PS*, an "oct" key HS256; a key's "alg", when present, must be one of
 * those and is then the only one.  A "use" other than "sig" makes the key
 * unusable.  Returns false for anything unusable; never raises (OOM aside).
 */
static bool
JwkRead(Jsonb *jwk, Jwk *key)
{
	int			alglen;
	const char *alg;
	int			i;
	bool		any = false;

	memset(key, 0, sizeof(*key));
	if (!JB_ROOT_IS_OBJECT(jwk))
		return false;
	if (getKeyJsonValueFromContainer(&jwk->root, "use", 3, &(JsonbValue) {0}) != NULL &&
		!JwkStringIs(jwk, "use", "sig"))
		return false;

	if (JwkStringIs(jwk, "kty", "OKP") || JwkStringIs(jwk, "kty", "EC"))
	{
		key->kind = JwkStringIs(jwk, "kty", "OKP") ? JWK_OKP : JWK_EC;
		for (i = 0; i < JWS_ALGORITHMS; i++)
			if (JwsAlgorithms[i].kind == key->kind &&
				JwkStringIs(jwk, "crv", JwsAlgorithms[i].crv))
				key->curve = &JwsAlgorithms[i];
		if (key->curve == NULL)
			return false;
		key->a = JwkBytes(jwk, "x", key->curve->coordlen, key->curve->coordlen, &key->alen);
		if (key->a == NULL)
			return false;
		if (key->kind == JWK_EC)
		{
			key->b = JwkBytes(jwk, "y", key->curve->coordlen, key->curve->coordlen, &key->blen);
			if (key->b == NULL)
				return false;
		}
	}
	else if (JwkStringIs(jwk, "kty", "RSA"))
	{
		key->kind = JWK_RSA;
		key->a = JwkBytes(jwk, "n", JWK_RSA_MIN_BITS / 8 - 1, JWK_RSA_MAX_BITS / 8 + 1, &key->alen);
		key->b = JwkBytes(jwk, "e", 1, JWK_RSA_MAX_E_BYTES, &key->blen);
		if (key->a == NULL || key->b == NULL)
			return false;
	}
	else if (JwkStringIs(jwk, "kty", "oct"))
	{
		key->kind = JWK_OCT;
		key->a = JwkBytes(jwk, "k", JWK_OCT_MIN_BYTES, JWK_OCT_MAX_BYTES, &key->alen);
		if (key->a == NULL)
			return false;
	}
	else
		return false;

	alg = JwkString(jwk, "alg", &alglen);
	if (alg == NULL &&
		getKeyJsonValueFromContainer(&jwk->root, "alg", 3, &(JsonbValue) {0}) != NULL)
		return false;
	for (i = 0; i < JWS_ALGORITHMS; i++)
	{
		const JwsAlgorithm *a = &JwsAlgorithms[i];

		key->allowed[i] = a->kind == key->kind &&
			(key->curve == NULL || key->curve == a) &&
			(alg == NULL || (alglen == (int) strlen(a->name) && memcmp(alg, a->name, alglen) == 0));
		any |= key->allowed[i];
	}
	return any;
}

/*
 * The OpenSSL key of an OKP, EC or RSA JWK, or NULL when OpenSSL refuses it
 * (an EC point off its curve, an RSA modulus out of bounds).  The caller frees
 * it with EVP_PKEY_free.  No ereport may happen while OpenSSL objects are
 * live (they are not palloc'd), so every palloc is done before.
 */
static EVP_PKEY *
JwkPublicKey(const Jwk *key, uint8 *point)
{
	EVP_PKEY   *pkey = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	BIGNUM	   *n = NULL;
	BIGNUM	   *e = NULL;

	if (key->kind == JWK_OKP)
		return EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, key->a, key->alen);

	if ((bld = OSSL_PARAM_BLD_new()) == NULL)
		goto done;
	if (key->kind == JWK_EC)
	{
		/* an uncompressed point: 0x04 || x || y */
		point[0] = 0x04;
		memcpy(point + 1, key->a, key->alen);
		memcpy(point + 1 + key->alen, key->b, key->blen);
		if (!OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, key->curve->group, 0) ||
			!OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, 1 + key->alen + key->blen))
			goto done;
		ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	}
	else
	{
		if ((n = BN_bin2bn(key->a, key->alen, NULL)) == NULL ||
			(e = BN_bin2bn(key->b, key->blen, NULL)) == NULL)
			goto done;
		if (BN_num_bits(n) < JWK_RSA_MIN_BITS || BN_num_bits(n) > JWK_RSA_MAX_BITS ||
			!BN_is_odd(n) || !BN_is_odd(e) || BN_is_one(e) || BN_cmp(e, n) >= 0)
			goto done;
		if (!OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
			!OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e))
			goto done;
		ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	}
	if (ctx == NULL || (params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
		EVP_PKEY_fromdata_init(ctx) <= 0 ||
		EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0)
	{
		EVP_PKEY_free(pkey);
		pkey = NULL;
	}

done:
	OSSL_PARAM_free(params);
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_BLD_free(bld);
	BN_free(n);
	BN_free(e);
	return pkey;
}

/*
 * A JWS ECDSA signature (R || S, each coordlen bytes, RFC 7518 3.4) in the
 * DER form OpenSSL verifies, in *der (OPENSSL_free it); its length, or -1.
 */
static int
JwsEcdsaDer(const uint8 *raw, int coordlen, unsigned char **der)
{
	ECDSA_SIG  *sig = ECDSA_SIG_new();
	BIGNUM	   *r = BN_bin2bn(raw, coordlen, NULL);
	BIGNUM	   *s = BN_bin2bn(raw + coordlen, coordlen, NULL);
	int			len = -1;

	*der = NULL;
	if (sig != NULL && r != NULL && s != NULL && ECDSA_SIG_set0(sig, r, s))
	{
		r = s = NULL;			/* sig owns them now */
		len = i2d_ECDSA_SIG(sig, der);
	}
	BN_free(r);
	BN_free(s);
	ECDSA_SIG_free(sig);
	return len;
}

/*
 * Is sig a signature of data by key with algorithm alg?  The key must allow
 * alg (JwkRead).  Every OpenSSL object is freed and OpenSSL's error queue
 * cleared before returning: a refused signature leaves nothing behind.
 */
static bool
JwsCheck(const Jwk *key, const JwsAlgorithm *alg, const uint8 *data, size_t len,
		 const uint8 *sig, size_t siglen)
{
	uint8	   *point = palloc(1 + key->alen + key->blen);
	EVP_PKEY   *pkey = NULL;
	EVP_MD_CTX *md = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	unsigned char *der = NULL;
	int			derlen;
	bool		ok = false;

	if (key->kind == JWK_OCT)
	{
		uint8		mac[EVP_MAX_MD_SIZE];
		unsigned int maclen = 0;

		/* compared in constant time: the MAC depends on the secret */
		ok = HMAC(alg->digest(), key->a, key->alen, data, len, mac, &maclen) != NULL &&
			siglen == maclen && CRYPTO_memcmp(mac, sig, maclen) == 0;
		goto done;
	}

	if ((pkey = JwkPublicKey(key, point)) == NULL || (md = EVP_MD_CTX_new()) == NULL)
		goto done;
	switch (key->kind)
	{
		case JWK_OKP:
			ok = siglen == 64 &&
				EVP_DigestVerifyInit(md, NULL, NULL, NULL, pkey) == 1 &&
				EVP_DigestVerify(md, sig, siglen, data, len) == 1;
			break;
		case JWK_EC:
			if (siglen != 2 * (size_t) alg->coordlen ||
				(derlen = JwsEcdsaDer(sig, alg->coordlen, &der)) <= 0)
				break;
			ok = EVP_DigestVerifyInit(md, NULL, alg->digest(), NULL, pkey) == 1 &&
				EVP_DigestVerify(md, der, derlen, data, len) == 1;
			break;
		case JWK_RSA:
			/* PSS: MGF1 with the same hash, salt as long as the hash (RFC 7518 3.5) */
			ok = siglen == (size_t) EVP_PKEY_get_size(pkey) &&
				EVP_DigestVerifyInit(md, &pctx, alg->digest(), NULL, pkey) == 1 &&
				(!alg->pss ||
				 (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) > 0 &&
				  EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) > 0)) &&
				EVP_DigestVerify(md, sig, siglen, data, len) == 1;
			break;
		case JWK_OCT:
			break;
	}

done:
	OPENSSL_free(der);
	EVP_MD_CTX_free(md);		/* (frees pctx too) */
	EVP_PKEY_free(pkey);
	ERR_clear_error();
	pfree(point);
	return ok;
}

/*
 * jwk_algorithms(jwk jsonb) returns text[]
 *
 * The algorithms a JWK may verify ("EdDSA", "ES256", "RS256", ...), or NULL
 * when it is not a usable signing key: an unknown type or curve, fields
 * missing or of the wrong length, "use" other than "sig", an "alg" that does
 * not fit the key, an EC point not on its curve, an RSA modulus outside
 * 2048-8192 bits.  api.gateway_store_jwks keeps only usable keys.
 */
Datum
jwk_algorithms(PG_FUNCTION_ARGS)
{
	Jsonb	   *jwk = PG_GETARG_JSONB_P(0);
	Jwk			key;
	Datum		names[JWS_ALGORITHMS];
	int			n = 0;
	int			i;

	if (!JwkRead(jwk, &key))
		PG_RETURN_NULL();
	if (key.kind != JWK_OCT)
	{
		uint8	   *point = palloc(1 + key.alen + key.blen);
		EVP_PKEY   *pkey = JwkPublicKey(&key, point);
		bool		usable = pkey != NULL;

		EVP_PKEY_free(pkey);
		ERR_clear_error();
		if (!usable)
			PG_RETURN_NULL();
	}
	for (i = 0; i < JWS_ALGORITHMS; i++)
		if (key.allowed[i])
			names[n++] = CStringGetTextDatum(JwsAlgorithms[i].name);
	PG_RETURN_ARRAYTYPE_P(construct_array(names, n, TEXTOID, -1, false, TYPALIGN_INT));
}

/*
 * jws_verify(alg text, jwk jsonb, signing_input text, signature bytea)
 * returns boolean
 *
 * Whether signature is a valid signature of signing_input (the token's
 * "header.payload", as sent) by the key jwk under algorithm alg (the header's
 * "alg").  False, never an error, for a bad signature, an unusable key, or an
 * alg the key does not allow: "none", HS256 with a public key, ES256 with an
 * RSA key and the like are all simply false.
 */
Datum
jws_verify(PG_FUNCTION_ARGS)
{
	text	   *algtext = PG_GETARG_TEXT_PP(0);
	Jsonb	   *jwk = PG_GETARG_JSONB_P(1);
	text	   *input = PG_GETARG_TEXT_PP(2);
	bytea	   *sig = PG_GETARG_BYTEA_PP(3);
	int			alglen = VARSIZE_ANY_EXHDR(algtext);
	Jwk			key;
	int			i;

	if (!JwkRead(jwk, &key))
		PG_RETURN_BOOL(false);
	for (i = 0; i < JWS_ALGORITHMS; i++)
		if (key.allowed[i] && alglen == (int) strlen(JwsAlgorithms[i].name) &&
			memcmp(VARDATA_ANY(algtext), JwsAlgorithms[i].name, alglen) == 0)
			PG_RETURN_BOOL(JwsCheck(&key, &JwsAlgorithms[i],
									(const uint8 *) VARDATA_ANY(input), VARSIZE_ANY_EXHDR(input),
									(const uint8 *) VARDATA_ANY(sig), VARSIZE_ANY_EXHDR(sig)));
	PG_RETURN_BOOL(false);
}

/* the bytes of base64url segment [s, s + len) as a JSON object (TD401 otherwise) */
static Jsonb *
JwsSegmentObject(const char *s, int len)
{
	int			buflen = Base64UrlDecodedLength(len);
	char	   *buf;

	if (buflen < 0)
		JwtRefuse("invalid token");
	buf = palloc(buflen + 1);
	if (Base64UrlDecode(s, len, (uint8 *) buf) != buflen)
		JwtRefuse("invalid token");
	buf[buflen] = '\0';
	return JwtParseObject(buf, buflen);
}

/*
 * jws_decode(token text, OUT header jsonb, OUT payload jsonb,
 *            OUT signing_input text, OUT signature bytea)
 *
 * The parts of a compact JWS, unverified: its header and payload objects, the
 * text its signature covers, and the signature's bytes.  Anything else (not
 * three segments, not strict base64url, not JSON objects, over 8192 bytes)
 * raises TD401 "invalid token", so hostile input never reaches SQL's own
 * parsers and their errors.
 */
Datum
jws_decode(PG_FUNCTION_ARGS)
{
	text	   *token;
	const char *tok;
	int			len;
	const char *dot1;
	const char *dot2;
	int			siglen;
	bytea	   *sig;
	TupleDesc	tupdesc;
	Datum		values[4];
	bool		nulls[4] = {false, false, false, false};

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("function returning record called in context that cannot accept type record")));

	token = JwtSegments(PG_GETARG_DATUM(0), &dot1, &dot2);
	tok = VARDATA_ANY(token);
	len = VARSIZE_ANY_EXHDR(token);
	if (dot1 - tok > JWT_MAX_HEADER_LENGTH)
		JwtRefuse("invalid token");

	values[0] = JsonbPGetDatum(JwsSegmentObject(tok, dot1 - tok));
	values[1] = JsonbPGetDatum(JwsSegmentObject(dot1 + 1, dot2 - (dot1 + 1)));
	values[2] = PointerGetDatum(cstring_to_text_with_len(tok, dot2 - tok));
	siglen = Base64UrlDecodedLength(tok + len - (dot2 + 1));
	if (siglen <= 0)
		JwtRefuse("invalid token");
	sig = palloc(VARHDRSZ + siglen);
	SET_VARSIZE(sig, VARHDRSZ + siglen);
	if (Base64UrlDecode(dot2 + 1, tok + len - (dot2 + 1), (uint8 *) VARDATA(sig)) != siglen)
		JwtRefuse("invalid token");
	values[3] = PointerGetDatum(sig);

	tupdesc = BlessTupleDesc(tupdesc);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}
