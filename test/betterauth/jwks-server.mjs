// test/betterauth/jwks-server.mjs: an issuer of our own, for what Better Auth does not do:
// a JWKS answered with a chosen Cache-Control, keys added and removed at will, and JWKS
// documents that are not what they should be (test/suites/betterauth.sh).
//
//   JW_ISSUER=ISS       the iss of its tokens (default: its URL)   JW_AUDIENCE=AUD (optional)
//
// It prints one line, {"url": "http://127.0.0.1:PORT"}, once it listens. Routes:
//   GET  /jwks                 the keys ({"keys":[...]}); GET of any other path: the raw
//                              document set for it below, or the keys (404 until set); fetches counted
//   POST /control              {"path": P (default /jwks), "cache_control": "max-age=N" |
//                              null, "raw": TEXT | null}: what GET P answers (raw null:
//                              the keys)
//   POST /keys                 {"alg": "EdDSA"|"ES256"|"ES512"|"RS256"|"PS256"} -> {"kid"}
//   POST /keys/remove?kid=K    drops key K from the JWKS
//   POST /sign                 {"kid", "payload", "header"}: a token by that key (default:
//                              the newest); iss, aud, iat, exp (+15 min) are added unless
//                              given, a claim given as null is left out
//   GET  /stats                {"fetches": N}
import { createServer } from "node:http";
import { randomBytes } from "node:crypto";
import { SignJWT, exportJWK, generateKeyPair } from "jose";

const server = createServer();
await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
const url = `http://127.0.0.1:${server.address().port}`;
const issuer = process.env.JW_ISSUER || url;
const audience = process.env.JW_AUDIENCE || undefined;

const keys = []; // {kid, alg, privateKey, jwk}
const docs = new Map(); // path -> {cacheControl, raw}
let fetches = 0;

async function addKey(alg) {
	const { publicKey, privateKey } = await generateKeyPair(alg, alg === "EdDSA" ? { crv: "Ed25519" } : {});
	const kid = randomBytes(12).toString("base64url");
	keys.push({ kid, alg, privateKey, jwk: { ...(await exportJWK(publicKey)), alg, kid, use: "sig" } });
	return kid;
}

async function sign({ kid, payload = {}, header = {} }) {
	const key = kid ? keys.find((k) => k.kid === kid) : keys[keys.length - 1];
	if (!key) throw new Error(`no key ${kid}`);
	const now = Math.floor(Date.now() / 1000);
	const claims = { iss: issuer, ...(audience ? { aud: audience } : {}), iat: now, exp: now + 900, ...payload };
	for (const [k, v] of Object.entries(claims)) if (v === null) delete claims[k];
	return new SignJWT(claims).setProtectedHeader({ alg: key.alg, kid: key.kid, ...header }).sign(key.privateKey);
}

async function body(req) {
	const chunks = [];
	for await (const c of req) chunks.push(c);
	return chunks.length ? JSON.parse(Buffer.concat(chunks).toString()) : {};
}

async function route(req, res) {
	const u = new URL(req.url, url);
	const json = (status, v, headers = {}) => {
		res.writeHead(status, { "content-type": "application/json", ...headers });
		res.end(JSON.stringify(v));
	};
	if (req.method === "GET" && u.pathname === "/stats") return json(200, { fetches });
	if (req.method === "GET") {
		const doc = docs.get(u.pathname) ?? {};
		if (u.pathname !== "/jwks" && !docs.has(u.pathname)) return json(404, { error: "no such document" });
		fetches++;
		const headers = { "content-type": "application/json" };
		if (doc.cacheControl) headers["cache-control"] = doc.cacheControl;
		res.writeHead(200, headers);
		return res.end(doc.raw ?? JSON.stringify({ keys: keys.map((k) => k.jwk) }));
	}
	if (req.method !== "POST") return json(404, { error: "no such route" });
	const b = await body(req);
	switch (u.pathname) {
	case "/control": {
		const path = b.path || "/jwks";
		const doc = docs.get(path) ?? { cacheControl: null, raw: null };
		if ("cache_control" in b) doc.cacheControl = b.cache_control;
		if ("raw" in b) doc.raw = b.raw;
		docs.set(path, doc);
		return json(200, { path, cache_control: doc.cacheControl, raw: doc.raw !== null });
	}
	case "/keys":
		return json(200, { kid: await addKey(b.alg || "EdDSA") });
	case "/keys/remove": {
		const i = keys.findIndex((k) => k.kid === u.searchParams.get("kid"));
		if (i >= 0) keys.splice(i, 1);
		return json(i >= 0 ? 200 : 404, { removed: i >= 0 ? 1 : 0 });
	}
	case "/sign":
		return json(200, { token: await sign(b) });
	}
	return json(404, { error: "no such route" });
}

server.on("request", (req, res) => {
	route(req, res).catch((e) => {
		res.writeHead(500, { "content-type": "application/json" });
		res.end(JSON.stringify({ error: String(e) }));
	});
});
console.log(JSON.stringify({ url }));
