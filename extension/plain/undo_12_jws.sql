/* extension/plain/undo_12_jws.sql: the plain install's downgrade drops what plain/12_jws.sql defines (todo--1.2--1.1.sql) */
DROP FUNCTION todo.jwt_leeway();
DROP FUNCTION todo.hmac_sha256_bytes(bytea, bytea);
DROP FUNCTION todo.jws_verify(text, jsonb, text, bytea);
DROP FUNCTION todo.bytes_numeric(bytea);
DROP FUNCTION todo.jwk_algorithms(jsonb);
DROP FUNCTION todo.jws_decode(text);
