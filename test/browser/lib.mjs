// test/browser/lib.mjs - what the browser scripts share: TAP output, Chromium (Debian's,
// through puppeteer-core), the API called directly (to check what the page did), and small
// page helpers. Run by test/suites/browser.sh (app.test.mjs) and `make screenshots`.
import fs from 'node:fs';
import puppeteer from 'puppeteer-core';

export const BASE = (process.env.TODO_BASE_URL || '').replace(/\/+$/, '');
if (!BASE) {
	console.log('Bail out! TODO_BASE_URL is not set');
	process.exit(1);
}

// ---- TAP ----------------------------------------------------------------------------------
let n = 0;
let failed = 0;
export function ok(cond, name, diag) {
	n++;
	console.log(`${cond ? '' : 'not '}ok ${n} - ${name}`);
	if (!cond) {
		failed++;
		if (diag !== undefined) console.log(String(diag).split('\n').slice(0, 30).map((l) => `# ${l}`).join('\n'));
	}
	return !!cond;
}
export function is(got, want, name) {
	const g = JSON.stringify(got);
	const w = JSON.stringify(want);
	return ok(g === w, name, `got:      ${g}\nexpected: ${w}`);
}
export function like(got, re, name) {
	return ok(typeof got === 'string' && re.test(got), name, `got: ${JSON.stringify(got)}\nexpected to match: ${re}`);
}
export function comment(text) { console.log(`# ${text}`); }
export function done() {
	if (!process.env.TAP_NO_PLAN) console.log(`1..${n}`);   // the suite adds tests and the plan
	return failed;
}

// Runs one part of the script; a part that throws (a timeout, a missing element) is one
// failed test and the next part goes on.
export async function part(name, fn) {
	comment(`--- ${name}`);
	try {
		await fn();
	} catch (e) {
		ok(false, `${name}: ran to the end`, e && e.stack ? e.stack : e);
	}
}

// ---- the API, called directly -----------------------------------------------------------------
export async function api(method, path, { token, body } = {}) {
	const headers = {};
	if (token) headers.Authorization = `Bearer ${token}`;
	if (body !== undefined) headers['Content-Type'] = 'application/json';
	const res = await fetch(BASE + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
	const text = await res.text();
	let json = null;
	try { json = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
	return { status: res.status, json, headers: res.headers };
}

// A user registered through the API: {id, token, username, email, password}.
export async function apiUser(label, name) {
	const tag = `${label}${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`.slice(0, 30);
	const password = 'correct horse battery';
	const body = { username: tag, email: `${tag}@example.com`, password };
	if (name) body.name = name;
	const r = await api('POST', '/api/auth/register', { body });
	if (r.status !== 201) throw new Error(`register ${tag}: ${r.status} ${JSON.stringify(r.json)}`);
	return { id: r.json.data.user.id, token: r.json.data.access_token, username: tag, email: `${tag}@example.com`, password };
}

export async function apiTasks(user, query = '') {
	const r = await api('GET', `/api/${user.id}/tasks${query ? `?${query}` : ''}`, { token: user.token });
	if (r.status !== 200) throw new Error(`task list: ${r.status} ${JSON.stringify(r.json)}`);
	return r.json;
}

// ---- Chromium -----------------------------------------------------------------------------
export async function launch() {
	const browser = await puppeteer.launch({
		executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
		headless: true,
		// as root, Chromium's sandbox cannot start; /dev/shm may be small in containers
		args: ['--no-sandbox', '--disable-dev-shm-usage', '--lang=en-US', '--no-first-run'],
		env: { ...process.env, TZ: 'UTC' },
		protocolTimeout: 60000,
	});
	// the suite stops it by this pid even when this script dies (test/suites/browser.sh)
	if (process.env.BROWSER_PID_FILE) fs.writeFileSync(process.env.BROWSER_PID_FILE, `${browser.process().pid}\n`);
	return browser;
}

export const DESKTOP = { width: 1280, height: 900 };
export const PHONE = { width: 390, height: 844, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

// A new page at / in a context of its own (no session left from another page), with the
// console errors, page errors and CSP violations it reports collected in page.problems.
export async function openApp(browser, viewport = DESKTOP) {
	const context = await browser.createBrowserContext();
	const page = await context.newPage();
	page.setDefaultTimeout(15000);
	page.problems = [];
	page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warn') page.problems.push(`${m.type()}: ${m.text()}`); });
	page.on('pageerror', (e) => page.problems.push(`pageerror: ${e.message}`));
	page.on('dialog', (d) => (page.onDialog ? page.onDialog(d) : d.accept()));
	await page.setViewport(viewport);
	await page.goto(`${BASE}/`, { waitUntil: 'load' });
	await page.waitForSelector('#signin-view:not([hidden])');
	return page;
}

export async function text(page, selector) {
	return page.$eval(selector, (e) => e.textContent.trim());
}

export async function isHidden(page, selector) {
	return page.$eval(selector, (e) => e.closest('[hidden]') !== null || e.offsetParent === null);
}

// The tasks on the page, in order.
export async function pageTasks(page) {
	return page.$$eval('#task-list li.task', (lis) => lis.map((li) => ({
		id: li.dataset.id,
		title: li.querySelector('.task-title').textContent,
		desc: li.querySelector('.task-desc') ? li.querySelector('.task-desc').textContent : null,
		meta: li.querySelector('.task-meta').textContent,
		priority: li.querySelector('.task-priority').textContent.replace('Priority: ', ''),
		tags: Array.from(li.querySelectorAll('.tag')).map((t) => t.textContent),
		completed: li.classList.contains('completed'),
		error: li.querySelector('.task-error').textContent,
	})));
}

// Waits until the page's list shows exactly these ids, in this order.
export async function waitForIds(page, ids) {
	await page.waitForFunction((want) => {
		const got = Array.from(document.querySelectorAll('#task-list li.task')).map((li) => li.dataset.id);
		return JSON.stringify(got) === JSON.stringify(want);
	}, {}, ids);
}

// Clicks a button of the task with this id: 'toggle', 'edit' or 'delete'.
export async function taskButton(page, id, which) {
	await page.click(`#task-list li[data-id="${id}"] .task-${which}`);
}

export function isoDate(daysFromToday) {
	const d = new Date(Date.now() + daysFromToday * 86400000);
	return d.toISOString().slice(0, 10);
}
