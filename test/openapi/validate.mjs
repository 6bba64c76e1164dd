// test/openapi/validate.mjs - every response the e2e suite received, checked against the
// OpenAPI document: its path template and method, its status among the operation's
// responses, its body against that response's schema (JSON Schema 2020-12, ajv), its
// headers present (but those marked "required": false). Prints TAP, one test per (method, template, status).
//
//   node test/openapi/validate.mjs gateway/openapi/openapi.json RESPONSES.jsonl
//
// RESPONSES.jsonl: one {method, path, status, headers, body} a line (test/e2e/lib/E2E.pm
// writes it when TODO_E2E_RECORD is set). Paths outside /api/ belong to the web app: skipped.
import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

const [docFile, recFile] = process.argv.slice(2);
const doc = JSON.parse(readFileSync(docFile, 'utf8'));
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(doc, 'doc');

const ptr = (s) => s.replace(/~/g, '~0').replace(/\//g, '~1');
const deref = (o) => {
	while (o && o.$ref) o = o.$ref.slice(2).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~')).reduce((a, k) => a[k], doc);
	return o;
};
const templates = Object.keys(doc.paths).map((t) => ({ t, segs: t.split('/') }));

// the router's rule: literal segments equal, {param} any non-empty segment; an encoded
// slash in a segment matches nothing (API.md v1.1)
function template(rawPath) {
	if (/%2f/i.test(rawPath)) return null;
	const segs = rawPath.split('/');
	const decoded = segs.map((s) => { try { return decodeURIComponent(s); } catch { return s; } });
	for (const { t, segs: ts } of templates) {
		if (ts.length !== segs.length) continue;
		if (ts.every((p, i) => (p.startsWith('{') ? segs[i].length > 0 : p === decoded[i]))) return t;
	}
	return null;
}

const groups = new Map();   // "GET /api/x 200" -> { n, problems: [] }
let skipped = 0;
let total = 0;
const lines = readFileSync(recFile, 'utf8').split('\n').filter(Boolean);
for (const line of lines) {
	const r = JSON.parse(line);
	const path = r.path.split('?')[0];
	if (!path.startsWith('/api/') && path !== '/api') { skipped++; continue; }
	total++;
	const t = template(path);
	const method = r.method.toLowerCase();
	let response = null;
	let respPtr = null;     // the response object's JSON pointer in the document
	let key;
	const problems = [];
	if (t === null) {
		key = `${r.method} (no route) ${r.status}`;
		if (r.status !== 404) problems.push(`status ${r.status}, not 404`);
		respPtr = '/components/responses/NotFound';
	} else if (method === 'options') {
		key = `OPTIONS ${t} ${r.status}`;
		if (r.status !== 204) problems.push(`preflight status ${r.status}, not 204`);
		if (r.body !== '') problems.push('preflight with a body');
	} else {
		const op = doc.paths[t][method === 'head' ? 'get' : method];
		key = `${r.method} ${t} ${r.status}`;
		if (!op) {
			if (r.status !== 405) problems.push(`no operation: status ${r.status}, not 405`);
			respPtr = '/components/responses/MethodNotAllowed';
		} else {
			const resp = op.responses[String(r.status)];
			if (!resp) problems.push(`status ${r.status} is not documented for ${method} ${t}`);
			else respPtr = resp.$ref ? resp.$ref.slice(1) : `/paths/${ptr(t)}/${method === 'head' ? 'get' : method}/responses/${r.status}`;
		}
	}
	if (respPtr) response = deref({ $ref: '#' + respPtr });
	if (response && !problems.length) {
		for (const [h, given] of Object.entries(response.headers || {})) {
			const header = given && given.$ref ? deref(given) : given;
			if (header && header.required === false) continue;    // documented as optional
			if (r.headers[h.toLowerCase()] === undefined) problems.push(`header ${h} missing`);
		}
		const content = response.content || {};
		const types = Object.keys(content);
		if (types.length === 0) {
			if (r.body !== '') problems.push('a body where the document has none');
		} else if (method !== 'head') {
			const ct = (r.headers['content-type'] || '').split(';')[0].trim();
			if (!types.includes(ct)) problems.push(`Content-Type ${ct}, not ${types.join(' or ')}`);
			else if (ct === 'application/json') {
				let body;
				try { body = JSON.parse(r.body); } catch (e) { problems.push(`body is not JSON: ${e.message}`); }
				if (body !== undefined) {
					const validate = ajv.getSchema(`doc#${respPtr}/content/${ptr(ct)}/schema`);
					if (!validate(body)) problems.push(`${ajv.errorsText(validate.errors)} in ${r.body.slice(0, 300)}`);
				}
			}
		}
	}
	const g = groups.get(key) || { n: 0, problems: [] };
	g.n++;
	if (problems.length && g.problems.length < 3) g.problems.push(`${r.method} ${r.path}: ${problems.join('; ')}`);
	else if (problems.length) g.problems.push('');
	groups.set(key, g);
}

let n = 0;
let failed = 0;
for (const [key, g] of [...groups.entries()].sort()) {
	n++;
	if (g.problems.length) {
		failed++;
		console.log(`not ok ${n} - ${key}: ${g.problems.length} of ${g.n} responses differ from the document`);
		for (const p of g.problems.filter(Boolean)) console.log(`#   ${p}`);
	} else console.log(`ok ${n} - ${key}: ${g.n} responses match the document`);
}
n++;
console.log(`${total > 500 ? '' : 'not '}ok ${n} - ${total} API responses recorded and checked (${skipped} outside /api skipped)`);
console.log(`1..${n}`);
process.exit(failed || total <= 500 ? 1 : 0);
