/* extension/plain/downgrade/12_jws.sql: what todo--1.2--1.1.sql drops in the plain install in place of the C functions (plain/12_jws.sql, plain/13_signatures.sql) */
DROP FUNCTION todo.jwt_leeway();
DROP FUNCTION todo.hmac_sha256_bytes(bytea, bytea);
DROP FUNCTION todo.jws_verify(text, jsonb, text, bytea);
DROP FUNCTION todo.bytes_numeric(bytea);
DROP FUNCTION todo.jwk_algorithms(jsonb);
DROP FUNCTION todo.jws_decode(text);
DROP FUNCTION todo.ecdsa_verify(text, bytea, bytea, bytea, bytea);
DROP FUNCTION todo.ec_add(numeric[], numeric[], numeric);
DROP FUNCTION todo.ec_double(numeric[], numeric);
DROP FUNCTION todo.numeric_bits(numeric);
DROP FUNCTION todo.ed25519_verify(bytea, bytea, bytea);
DROP FUNCTION todo.ed25519_add(numeric[], numeric[]);
DROP FUNCTION todo.ed25519_point(bytea);
DROP FUNCTION todo.rsa_verify(text, bytea, bytea, bytea, bytea);
DROP FUNCTION todo.sha(integer, bytea);
DROP FUNCTION todo.mod_pow(numeric, numeric, numeric);
DROP FUNCTION todo.numeric_bytes(numeric, integer);
