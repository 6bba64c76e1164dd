// test/betterauth/server.mjs: a real Better Auth server for the tests and the bench
// (test/suites/betterauth.sh, bench/betterauth.sh): its memory adapter, email/password
// sign-up and the JWT plugin, exactly as a Next.js app configures them, on loopback.
//
//   BA_ALG=EdDSA|ES256|ES512|RS256|PS256  the JWT plugin's key algorithm (default EdDSA)
//   BA_PORT=N                             the port (default: a free one)
//   BA_AUDIENCE=AUD                       the JWT plugin's audience (default: the base URL)
//   BA_SECRET=...                         BETTER_AUTH_SECRET (default: random)
//
// It prints one line, {"url": "http://127.0.0.1:PORT", "alg": ...}, once it listens.
// Besides Better Auth's own routes (/api/auth/sign-up/email, /api/auth/token,
// /api/auth/get-session with its set-auth-jwt header, /api/auth/jwks), three routes of
// the harness act on its key store as an operator or an attacker holding the key could:
//   POST /test/rotate          the current key expires: the next token is signed with a
//                              new key (new kid); the old one stays published (grace period)
//   POST /test/remove?kid=K    key K disappears from the JWKS
//   POST /test/sign            {payload}: a token over any claims, signed with the current
//                              key (expired, not yet valid, wrong iss or aud...)
import { createServer } from "node:http";
import { randomBytes } from "node:crypto";
import { betterAuth } from "better-auth";
import { memoryAdapter } from "better-auth/adapters/memory";
import { jwt } from "better-auth/plugins";
import { toNodeHandler } from "better-auth/node";

const algs = ["EdDSA", "ES256", "ES512", "RS256", "PS256"];
const alg = process.env.BA_ALG || "EdDSA";
if (!algs.includes(alg)) {
	console.error(`BA_ALG must be one of ${algs.join(", ")}`);
	process.exit(2);
}

// the port first: Better Auth's baseURL (its default iss and aud) names it
const server = createServer();
await new Promise((ok) => server.listen(Number(process.env.BA_PORT || 0), "127.0.0.1", ok));
const url = `http://127.0.0.1:${server.address().port}`;

const db = { user: [], session: [], account: [], verification: [], jwks: [] };
const auth = betterAuth({
	baseURL: url,
	secret: process.env.BA_SECRET || randomBytes(32).toString("hex"),
	database: memoryAdapter(db),
	emailAndPassword: { enabled: true },
	telemetry: { enabled: false },
	plugins: [
		jwt({
			jwks: { keyPairConfig: alg === "EdDSA" ? { alg, crv: "Ed25519" } : { alg } },
			jwt: process.env.BA_AUDIENCE ? { audience: process.env.BA_AUDIENCE } : {},
		}),
	],
});
const betterAuthHandler = toNodeHandler(auth);

async function body(req) {
	const chunks = [];
	for await (const c of req) chunks.push(c);
	return chunks.length ? JSON.parse(Buffer.concat(chunks).toString()) : {};
}

function reply(res, status, value) {
	res.writeHead(status, { "content-type": "application/json" });
	res.end(JSON.stringify(value));
}

async function harness(req, res, path) {
	if (path === "/test/rotate") {
		const now = Date.now();
		for (const k of db.jwks) if (!k.expiresAt || k.expiresAt > now) k.expiresAt = new Date(now - 1000);
		return reply(res, 200, { expired: db.jwks.map((k) => k.id) });
	}
	if (path === "/test/remove") {
		const kid = new URL(req.url, url).searchParams.get("kid");
		const i = db.jwks.findIndex((k) => k.id === kid);
		if (i >= 0) db.jwks.splice(i, 1); // in place: the adapter holds this array
		return reply(res, i >= 0 ? 200 : 404, { removed: i >= 0 ? 1 : 0 });
	}
	if (path === "/test/sign") {
		const { payload } = await body(req);
		const { token } = await auth.api.signJWT({ body: { payload } });
		return reply(res, 200, { token });
	}
	return reply(res, 404, { error: "no such harness route" });
}

server.on("request", (req, res) => {
	const path = new URL(req.url, url).pathname;
	if (req.method === "POST" && path.startsWith("/test/"))
		harness(req, res, path).catch((e) => reply(res, 500, { error: String(e) }));
	else betterAuthHandler(req, res);
});
console.log(JSON.stringify({ url, alg }));
