/* extension/plain/13_signatures.sql: public-key signatures in PL/pgSQL (RSA, Ed25519), for installs without C */

-- The plain install has neither our C library nor any public-key cryptography (pgcrypto
-- has none), so todo.jws_verify (plain/12_jws.sql) verifies RS256..PS512 and EdDSA here:
-- arithmetic on numeric, hashes with sha256()/sha384()/sha512(). Slow (milliseconds), but a
-- token is verified once: later requests find its session (37_external_tokens.sql). Only
-- public values are handled (keys, signatures, hashes), so nothing needs constant time.
-- sql/jws.sql checks them against the C functions. None is for PUBLIC.

-- n as len big-endian bytes (n < 256^len).
CREATE FUNCTION todo.numeric_bytes(n numeric, len integer)
RETURNS bytea
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	result bytea := decode(repeat('00', len), 'hex');
	rest numeric := n;
BEGIN
	FOR i IN REVERSE len - 1 .. 0 LOOP
		result := set_byte(result, i, mod(rest, 256)::integer);
		rest := div(rest, 256);
	END LOOP;
	RETURN CASE WHEN rest = 0 THEN result END;
END
$$;
COMMENT ON FUNCTION todo.numeric_bytes(numeric, integer) IS 'todo: a numeric as big-endian bytes of a given length, NULL when it does not fit';

-- base^exponent mod modulus, by squaring.
CREATE FUNCTION todo.mod_pow(base numeric, exponent numeric, modulus numeric)
RETURNS numeric
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	result numeric := 1;
	b numeric := mod(base, modulus);
	e numeric := exponent;
BEGIN
	WHILE e > 0 LOOP
		IF mod(e, 2) = 1 THEN
			result := mod(result * b, modulus);
		END IF;
		e := div(e, 2);
		IF e > 0 THEN
			b := mod(b * b, modulus);
		END IF;
	END LOOP;
	RETURN result;
END
$$;
COMMENT ON FUNCTION todo.mod_pow(numeric, numeric, numeric) IS 'todo: modular exponentiation on numeric';

-- The digest of data with SHA-256, -384 or -512 (bits).
CREATE FUNCTION todo.sha(bits integer, data bytea)
RETURNS bytea
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
	SELECT CASE bits WHEN 256 THEN pg_catalog.sha256(data) WHEN 384 THEN pg_catalog.sha384(data)
		WHEN 512 THEN pg_catalog.sha512(data) END
$$;
COMMENT ON FUNCTION todo.sha(integer, bytea) IS 'todo: SHA-2 digest of data, by its size in bits';

-- RSASSA-PKCS1-v1_5 or RSASSA-PSS (MGF1 with the same hash, salt as long as the hash,
-- RFC 7518 3.5) verification of message by the key (n, e), RFC 8017 8.2.2 and 9.1.2.
CREATE FUNCTION todo.rsa_verify(alg text, n bytea, e bytea, message bytea, signature bytea)
RETURNS boolean
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	bits integer := substr(alg, 3)::integer;
	hlen integer := bits / 8;
	modulus numeric := todo.bytes_numeric(n);
	k integer;
	mod_bits integer;
	em_len integer;
	s numeric := todo.bytes_numeric(signature);
	em bytea;
	digest bytea := todo.sha(bits, message);
	masked_db bytea;
	h bytea;
	db bytea;
	mask bytea := '';
	zero_bits integer;
	ps_end integer;
BEGIN
	-- the size of the modulus: its bytes and bits, leading zero bytes aside
	k := length(ltrim(n, '\x00'::bytea));
	mod_bits := 8 * k - (8 - length(ltrim(get_byte(ltrim(n, '\x00'::bytea), 0)::bit(8)::text, '0')));
	IF length(signature) <> k OR s >= modulus THEN
		RETURN false;
	END IF;
	IF alg LIKE 'RS%' THEN
		em := todo.numeric_bytes(todo.mod_pow(s, todo.bytes_numeric(e), modulus), k);
		-- 00 01 FF..FF 00 DigestInfo(hash) digest
		RETURN em = '\x0001'::bytea || decode(repeat('ff', k - 3 - 19 - hlen), 'hex') || '\x00'::bytea
			|| decode(CASE bits WHEN 256 THEN '3031300d060960864801650304020105000420'
				WHEN 384 THEN '3041300d060960864801650304020205000430'
				ELSE '3051300d060960864801650304020305000440' END, 'hex') || digest;
	END IF;

	-- PSS: EM is emLen = ceil((modBits - 1) / 8) bytes
	em_len := (mod_bits - 1 + 7) / 8;
	em := todo.numeric_bytes(todo.mod_pow(s, todo.bytes_numeric(e), modulus), em_len);
	IF em IS NULL OR em_len < 2 * hlen + 2 OR get_byte(em, em_len - 1) <> 188 THEN
		RETURN false;
	END IF;
	masked_db := substr(em, 1, em_len - hlen - 1);
	h := substr(em, em_len - hlen, hlen);
	zero_bits := 8 * em_len - (mod_bits - 1);
	IF get_byte(masked_db, 0) >> (8 - zero_bits) <> 0 THEN
		RETURN false;
	END IF;
	-- MGF1(h) as long as maskedDB, XORed in
	FOR counter IN 0 .. (length(masked_db) - 1) / hlen LOOP
		mask := mask || todo.sha(bits, h || int4send(counter));
	END LOOP;
	db := masked_db;
	FOR i IN 0 .. length(db) - 1 LOOP
		db := set_byte(db, i, get_byte(masked_db, i) # get_byte(mask, i));
	END LOOP;
	db := set_byte(db, 0, get_byte(db, 0) & (255 >> zero_bits));
	-- DB = 00..00 01 salt, the salt hlen bytes
	ps_end := length(db) - hlen - 1;
	IF ps_end < 0 OR substr(db, 1, ps_end) <> decode(repeat('00', ps_end), 'hex') OR get_byte(db, ps_end) <> 1 THEN
		RETURN false;
	END IF;
	RETURN h = todo.sha(bits, decode(repeat('00', 8), 'hex') || digest || substr(db, ps_end + 2));
END
$$;
COMMENT ON FUNCTION todo.rsa_verify(text, bytea, bytea, bytea, bytea) IS
'todo: RSA PKCS#1 v1.5 (RS256/384/512) or PSS (PS256/384/512) signature verification in PL/pgSQL';

-- The point of edwards25519 that 32 bytes encode (RFC 8032 5.1.3), as {x, y}, or NULL.
CREATE FUNCTION todo.ed25519_point(encoded bytea)
RETURNS numeric[]
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	p numeric := 2::numeric ^ 255 - 19;
	d numeric := 37095705934669439343138083508754565189542113879843219016388785533085940283555;
	sign integer := get_byte(encoded, 31) >> 7;
	y numeric := 0;
	u numeric;
	v numeric;
	x numeric;
	le bytea := encoded;
BEGIN
	IF length(encoded) <> 32 THEN
		RETURN NULL;
	END IF;
	-- little-endian, the top bit being the sign of x
	le := set_byte(le, 31, get_byte(le, 31) & 127);
	FOR i IN REVERSE 31 .. 0 LOOP
		y := y * 256 + get_byte(le, i);
	END LOOP;
	IF y >= p THEN
		RETURN NULL;
	END IF;
	u := mod(y * y - 1 + p, p);
	v := mod(d * y * y + 1, p);
	x := mod(u * todo.mod_pow(v, 3, p) * todo.mod_pow(u * todo.mod_pow(v, 7, p), (p - 5) / 8, p), p);
	IF mod(v * x * x, p) = mod(p - u, p) AND u <> 0 THEN
		x := mod(x * 19681161376707505956807079304988542015446066515923890162744021073123829784752, p);
	ELSIF mod(v * x * x, p) <> u THEN
		RETURN NULL;
	END IF;
	IF x = 0 AND sign = 1 THEN
		RETURN NULL;
	END IF;
	IF mod(x, 2) <> sign THEN
		x := p - x;
	END IF;
	RETURN ARRAY[x, y];
END
$$;
COMMENT ON FUNCTION todo.ed25519_point(bytea) IS 'todo: the edwards25519 point of an encoding, {x, y}, or NULL when it encodes none';

-- P + Q on edwards25519 in extended coordinates {X, Y, Z, T} (add-2008-hwcd-3, a = -1: it
-- doubles too).
CREATE FUNCTION todo.ed25519_add(p1 numeric[], p2 numeric[])
RETURNS numeric[]
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	p numeric := 57896044618658097711785492504343953926634992332820282019728792003956564819949;
	a numeric := mod((p1[2] - p1[1]) * (p2[2] - p2[1]), p);
	b numeric := mod((p1[2] + p1[1]) * (p2[2] + p2[1]), p);
	-- 2d
	c numeric := mod(p1[4] * 16295367250680780974490674513165176452449235426866156013048779062215315747161 * p2[4], p);
	d numeric := mod(2 * p1[3] * p2[3], p);
BEGIN
	-- E = B - A, F = D - C, G = D + C, H = B + A; (E F, G H, F G, E H)
	RETURN ARRAY[mod((b - a) * (d - c), p), mod((d + c) * (b + a), p), mod((d - c) * (d + c), p), mod((b - a) * (b + a), p)];
END
$$;
COMMENT ON FUNCTION todo.ed25519_add(numeric[], numeric[]) IS 'todo: the sum of two edwards25519 points, extended coordinates';

-- Ed25519 signature verification (RFC 8032 5.1.7, cofactorless, as OpenSSL does):
-- [S]B = R + [k]A, k = SHA-512(R || A || message) mod L.
CREATE FUNCTION todo.ed25519_verify(public_key bytea, message bytea, signature bytea)
RETURNS boolean
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	p numeric := 2::numeric ^ 255 - 19;
	l numeric := 2::numeric ^ 252 + 27742317777372353535851937790883648493;
	a numeric[] := todo.ed25519_point(public_key);
	r numeric[];
	s numeric := 0;
	k numeric := 0;
	hash bytea;
	-- the points added: B, -A and B - A
	base numeric[] := ARRAY[15112221349535400772501151409588531511454012693041857206046113283949847762202,
		46316835694926478169428394003475163141307993866256225615783033603165251855960, 1,
		46827403850823179245072216630277197565144205554125654976674165829533817101731];
	neg_a numeric[];
	sum_ba numeric[];
	q numeric[] := ARRAY[0, 1, 1, 0];
	sbits text;
	kbits text;
BEGIN
	IF a IS NULL OR length(signature) <> 64 THEN
		RETURN false;
	END IF;
	r := todo.ed25519_point(substr(signature, 1, 32));
	IF r IS NULL THEN
		RETURN false;
	END IF;
	FOR i IN REVERSE 63 .. 32 LOOP
		s := s * 256 + get_byte(signature, i);
	END LOOP;
	IF s >= l THEN
		RETURN false;
	END IF;
	hash := sha512(substr(signature, 1, 32) || public_key || message);
	FOR i IN REVERSE 63 .. 0 LOOP
		k := k * 256 + get_byte(hash, i);
	END LOOP;
	neg_a := ARRAY[p - a[1], a[2], 1, mod((p - a[1]) * a[2], p)];
	sum_ba := todo.ed25519_add(base, neg_a);

	-- [S]B + [k](-A), both at once (Shamir's trick)
	sbits := lpad(todo.numeric_bits(s), 256, '0');
	kbits := lpad(todo.numeric_bits(mod(k, l)), 256, '0');
	FOR i IN 1 .. 256 LOOP
		q := todo.ed25519_add(q, q);
		CASE substr(sbits, i, 1) || substr(kbits, i, 1)
			WHEN '11' THEN q := todo.ed25519_add(q, sum_ba);
			WHEN '10' THEN q := todo.ed25519_add(q, base);
			WHEN '01' THEN q := todo.ed25519_add(q, neg_a);
			ELSE NULL;
		END CASE;
	END LOOP;
	-- it must be R: X/Z = x and Y/Z = y
	RETURN mod(q[1] - r[1] * q[3], p) = 0 AND mod(q[2] - r[2] * q[3], p) = 0;
END
$$;
COMMENT ON FUNCTION todo.ed25519_verify(bytea, bytea, bytea) IS 'todo: Ed25519 signature verification in PL/pgSQL (RFC 8032)';

-- The binary digits of a non-negative numeric, most significant first.
CREATE FUNCTION todo.numeric_bits(n numeric)
RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	result text := '';
	rest numeric := n;
BEGIN
	WHILE rest > 0 LOOP
		-- 16 bits at a time
		result := lpad(mod(rest, 65536)::integer::bit(16)::text, 16, '0') || result;
		rest := div(rest, 65536);
	END LOOP;
	RETURN coalesce(nullif(ltrim(result, '0'), ''), '0');
END
$$;
COMMENT ON FUNCTION todo.numeric_bits(numeric) IS 'todo: a non-negative numeric in binary digits';

-- Points of the NIST curves y^2 = x^3 - 3x + b mod p, in Jacobian coordinates {X, Y, Z}
-- (x = X/Z^2, y = Y/Z^3; Z = 0 is the point at infinity): doubling (dbl-2001-b) ...
CREATE FUNCTION todo.ec_double(q numeric[], p numeric)
RETURNS numeric[]
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	delta numeric;
	gamma numeric;
	beta numeric;
	alpha numeric;
	x3 numeric;
BEGIN
	IF q[3] = 0 OR q[2] = 0 THEN
		RETURN ARRAY[1, 1, 0];
	END IF;
	delta := mod(q[3] * q[3], p);
	gamma := mod(q[2] * q[2], p);
	beta := mod(q[1] * gamma, p);
	alpha := mod(3 * (q[1] - delta) * (q[1] + delta), p);
	x3 := mod(alpha * alpha - 8 * beta, p);
	RETURN ARRAY[x3, mod(alpha * (4 * beta - x3) - 8 * gamma * gamma, p),
		mod((q[2] + q[3]) * (q[2] + q[3]) - gamma - delta, p)];
END
$$;
COMMENT ON FUNCTION todo.ec_double(numeric[], numeric) IS 'todo: 2Q on a NIST curve (a = -3), Jacobian coordinates';

-- ... and adding (add-2007-bl).
CREATE FUNCTION todo.ec_add(q1 numeric[], q2 numeric[], p numeric)
RETURNS numeric[]
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	z1z1 numeric;
	z2z2 numeric;
	u1 numeric;
	s1 numeric;
	h numeric;
	i numeric;
	j numeric;
	r numeric;
	v numeric;
	x3 numeric;
BEGIN
	IF q1[3] = 0 THEN
		RETURN q2;
	ELSIF q2[3] = 0 THEN
		RETURN q1;
	END IF;
	z1z1 := mod(q1[3] * q1[3], p);
	z2z2 := mod(q2[3] * q2[3], p);
	u1 := mod(q1[1] * z2z2, p);
	s1 := mod(q1[2] * q2[3] * z2z2, p);
	h := mod(q2[1] * z1z1 - u1, p);
	r := mod(2 * (q2[2] * q1[3] * z1z1 - s1), p);
	IF h = 0 THEN
		RETURN CASE WHEN r = 0 THEN todo.ec_double(q1, p) ELSE ARRAY[1, 1, 0] END;
	END IF;
	i := mod(4 * h * h, p);
	j := mod(h * i, p);
	v := mod(u1 * i, p);
	x3 := mod(r * r - j - 2 * v, p);
	RETURN ARRAY[x3, mod(r * (v - x3) - 2 * s1 * j, p),
		mod(((q1[3] + q2[3]) * (q1[3] + q2[3]) - z1z1 - z2z2) * h, p)];
END
$$;
COMMENT ON FUNCTION todo.ec_add(numeric[], numeric[], numeric) IS 'todo: Q1 + Q2 on a NIST curve (a = -3), Jacobian coordinates';

-- ECDSA verification (ES256, ES384, ES512; JWS signatures are R || S, RFC 7518 3.4) of
-- message by the public point (x, y), which todo.jwk_algorithms checked is on its curve.
CREATE FUNCTION todo.ecdsa_verify(alg text, x bytea, y bytea, message bytea, signature bytea)
RETURNS boolean
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	size integer := CASE alg WHEN 'ES256' THEN 32 WHEN 'ES384' THEN 48 ELSE 66 END;
	p numeric;
	n numeric;
	g numeric[];
	q numeric[] := ARRAY[todo.bytes_numeric(x), todo.bytes_numeric(y), 1];
	r numeric;
	s numeric;
	e numeric;
	w numeric;
	u1bits text;
	u2bits text;
	sum_gq numeric[];
	acc numeric[] := ARRAY[1, 1, 0];
	zinv numeric;
BEGIN
	IF alg = 'ES256' THEN
		p := 115792089210356248762697446949407573530086143415290314195533631308867097853951;
		n := 115792089210356248762697446949407573529996955224135760342422259061068512044369;
		g := ARRAY[48439561293906451759052585252797914202762949526041747995844080717082404635286,
			36134250956749795798585127919587881956611106672985015071877198253568414405109, 1];
	ELSIF alg = 'ES384' THEN
		p := 39402006196394479212279040100143613805079739270465446667948293404245721771496870329047266088258938001861606973112319;
		n := 39402006196394479212279040100143613805079739270465446667946905279627659399113263569398956308152294913554433653942643;
		g := ARRAY[26247035095799689268623156744566981891852923491109213387815615900925518854738050089022388053975719786650872476732087,
			8325710961489029985546751289520108179287853048861315594709205902480503199884419224438643760392947333078086511627871, 1];
	ELSE
		p := 6864797660130609714981900799081393217269435300143305409394463459185543183397656052122559640661454554977296311391480858037121987999716643812574028291115057151;
		n := 6864797660130609714981900799081393217269435300143305409394463459185543183397655394245057746333217197532963996371363321113864768612440380340372808892707005449;
		g := ARRAY[2661740802050217063228768716723360960729859168756973147706671368418802944996427808491545080627771902352094241225065558662157113545570916814161637315895999846,
			3757180025770020463545507224491183603594455134769762486694567779615544477440556316691234405012945539562144444537289428522585666729196580810124344277578376784, 1];
	END IF;
	IF length(signature) <> 2 * size THEN
		RETURN false;
	END IF;
	r := todo.bytes_numeric(substr(signature, 1, size));
	s := todo.bytes_numeric(substr(signature, size + 1));
	IF r < 1 OR r >= n OR s < 1 OR s >= n THEN
		RETURN false;
	END IF;
	-- the hash as a number (its leftmost bits when longer than n: never for these pairs)
	e := todo.bytes_numeric(todo.sha(substr(alg, 3)::integer, message));
	w := todo.mod_pow(s, n - 2, n);
	u1bits := todo.numeric_bits(mod(e * w, n));
	u2bits := todo.numeric_bits(mod(r * w, n));
	u1bits := lpad(u1bits, greatest(length(u1bits), length(u2bits)), '0');
	u2bits := lpad(u2bits, length(u1bits), '0');
	sum_gq := todo.ec_add(g, q, p);
	-- u1 G + u2 Q, both at once (Shamir's trick)
	FOR i IN 1 .. length(u1bits) LOOP
		acc := todo.ec_double(acc, p);
		CASE substr(u1bits, i, 1) || substr(u2bits, i, 1)
			WHEN '11' THEN acc := todo.ec_add(acc, sum_gq, p);
			WHEN '10' THEN acc := todo.ec_add(acc, g, p);
			WHEN '01' THEN acc := todo.ec_add(acc, q, p);
			ELSE NULL;
		END CASE;
	END LOOP;
	IF acc[3] = 0 THEN
		RETURN false;
	END IF;
	zinv := todo.mod_pow(mod(acc[3], p) + p, p - 2, p);
	RETURN mod(mod(mod(acc[1] * zinv * zinv, p) + p, p), n) = r;
END
$$;
COMMENT ON FUNCTION todo.ecdsa_verify(text, bytea, bytea, bytea, bytea) IS 'todo: ECDSA P-256/P-384/P-521 signature verification in PL/pgSQL';
