// test/betterauth/forge.mjs: tokens an attacker makes out of a genuine one (the attack
// list of docs/security.md), one per line on stdout.
//
//   node forge.mjs none TOKEN             the payload re-sent with alg "none", no signature
//   node forge.mjs hs256-pubkey TOKEN JWKS_URL
//                                         HS256 "signed" with the issuer's public key as the
//                                         secret: its PEM, then its JWK text (two lines)
//   node forge.mjs tamper-header TOKEN    a header changed, signature kept
//   node forge.mjs tamper-payload TOKEN   the sub changed, signature kept
//   node forge.mjs hs256 SECRET JSON      an honest HS256 token over the claims JSON
//   node forge.mjs fuzz-headers TOKEN     one token per odd header (payload and signature
//                                         kept): wrong types, huge values, bad base64url...
import { createHmac, createPublicKey } from "node:crypto";

const [kind, a, b] = process.argv.slice(2);
const enc = (v) => Buffer.from(typeof v === "string" ? v : JSON.stringify(v)).toString("base64url");
const dec = (s) => JSON.parse(Buffer.from(s, "base64url").toString());
const hs256 = (secret, input) => createHmac("sha256", secret).update(input).digest("base64url");
const parts = (t) => {
	const p = t.split(".");
	if (p.length !== 3) throw new Error("not a JWS compact token");
	return p;
};

switch (kind) {
case "none": {
	const [h, p] = parts(a);
	console.log(`${enc({ ...dec(h), alg: "none" })}.${p}.`);
	break;
}
case "hs256-pubkey": {
	const [h, p] = parts(a);
	const header = dec(h);
	const { keys } = await (await fetch(b)).json();
	const jwk = keys.find((k) => k.kid === header.kid) ?? keys[0];
	const pem = createPublicKey({ key: jwk, format: "jwk" }).export({ type: "spki", format: "pem" });
	for (const secret of [pem, JSON.stringify(jwk)]) {
		const input = `${enc({ alg: "HS256", kid: header.kid })}.${p}`;
		console.log(`${input}.${hs256(secret, input)}`);
	}
	break;
}
case "tamper-header": {
	const [h, p, s] = parts(a);
	console.log(`${enc({ ...dec(h), typ: "JWT" })}.${p}.${s}`);
	break;
}
case "tamper-payload": {
	const [h, p, s] = parts(a);
	const claims = dec(p);
	claims.sub = `${claims.sub}x`;
	console.log(`${h}.${enc(claims)}.${s}`);
	break;
}
case "hs256": {
	const input = `${enc({ alg: "HS256", typ: "JWT" })}.${enc(JSON.parse(b))}`;
	console.log(`${input}.${hs256(a, input)}`);
	break;
}
case "fuzz-headers": {
	const [h, p, s] = parts(a);
	const header = dec(h);
	const odd = [
		{ ...header, alg: 5 }, { ...header, alg: null }, { ...header, alg: ["EdDSA"] },
		{ ...header, alg: "" }, { ...header, alg: "EDDSA" }, { ...header, alg: "ES256K" },
		{ ...header, alg: "HS512" }, { ...header, alg: "RSA-OAEP" }, { ...header, kid: 7 },
		{ ...header, kid: { $ne: "" } }, { ...header, kid: "" }, { ...header, kid: "x".repeat(2500) },
		{ ...header, kid: "../../etc/passwd" }, { ...header, kid: "' OR 1=1 --" }, { ...header, kid: "\u0000" },
		{ ...header, crit: ["exp"] }, { ...header, jku: "http://127.0.0.1:1/jwks" },
		{ ...header, jwk: { kty: "oct", k: "AAAA" } }, { ...header, x5u: "http://127.0.0.1:1/x" },
		{ ...header, b64: false }, { ...header, zip: "DEF" }, { ...header, enc: "A128GCM" },
		{ alg: header.alg }, {}, [], "header", 1e400, null,
	];
	for (const o of odd) console.log(`${enc(o === 1e400 ? "1e400" : o)}.${p}.${s}`);
	for (const junk of ["e30", "", "!!!!", "eyJhbGciOiJFZERTQSJ9x", "e".repeat(3000)]) console.log(`${junk}.${p}.${s}`);
	console.log(`${h}.${p}`);
	console.log(`${h}.${p}.${s}.${s}`);
	console.log(`${h}.${p}.${s.slice(0, -2)}`);
	console.log(`${h}.${p}.${s}AA`);
	console.log(`${h}.${p}.`);
	break;
}
default:
	console.error("usage: forge.mjs none|hs256-pubkey|tamper-header|tamper-payload|hs256|fuzz-headers ...");
	process.exit(2);
}
