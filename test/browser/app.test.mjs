// test/browser/app.test.mjs - the web app in a real browser (Debian's Chromium, headless,
// through puppeteer-core), against the gateway at TODO_BASE_URL: every action through the
// page, its result checked on the page and through the API. Prints TAP. Run by
// test/suites/browser.sh, which starts the gateway and stops everything afterwards.
import {
	BASE, ok, is, like, comment, done, part, api, apiUser, apiTasks, launch, openApp, text,
	isHidden, pageTasks, waitForIds, taskButton, isoDate, PHONE,
} from './lib.mjs';

const LIMIT_MS = Number(process.env.BROWSER_TEST_SECONDS || 400) * 1000;
const killer = setTimeout(() => { console.log(`Bail out! over ${LIMIT_MS / 1000} s`); process.exit(1); }, LIMIT_MS);

// what Chrome says about every failed fetch (401, 404, 422 are expected here)
const isHttpNoise = (p) => /Failed to load resource: the server responded with a status of (4\d\d)/.test(p);
function noProblems(page, name) {
	const problems = page.problems.filter((p) => !isHttpNoise(p));
	ok(problems.length === 0, `${name}: no console error, page error or CSP violation`, problems.join('\n'));
	page.problems = [];
}

async function session(page) {
	return page.evaluate(() => JSON.parse(sessionStorage.getItem('todo.session')));
}

async function signIn(page, identifier, password) {
	await page.locator('#signin-identifier').fill(identifier);
	await page.locator('#signin-password').fill(password);
	await page.click('#signin-form button[type=submit]');
	await page.waitForSelector('#tasks-view:not([hidden])');
}

// The field-error paragraph for field in form, and whether its input is marked invalid.
async function fieldError(page, form, field) {
	return page.$eval(`${form} .field-error[data-error-for~="${field}"]`, (p) => ({
		text: p.textContent,
		invalid: p.previousElementSibling.getAttribute('aria-invalid') === 'true'
			|| (p.previousElementSibling.querySelector('[aria-invalid=true]') !== null),
		shown: p.offsetParent !== null,
	}));
}

async function openNewTask(page) {
	await page.click('#new-task');
	await page.waitForSelector('#task-dialog[open]');
}

async function saveDialog(page) {
	await page.click('#task-save');
	await page.waitForSelector('#task-dialog:not([open])');
}

async function fillTask(page, t) {
	if (t.title !== undefined) await page.locator('#t-title').fill(t.title);
	if (t.description !== undefined) await page.$eval('#t-description', (e) => { e.value = ''; });
	if (t.description) await page.type('#t-description', t.description);
	if (t.priority) await page.select('#t-priority', t.priority);
	if (t.due !== undefined) await page.locator('#t-due').fill(t.due);
	if (t.tags !== undefined) {
		await page.$eval('#t-tags', (e) => { e.value = ''; });
		await page.type('#t-tags', t.tags);
	}
	if (t.repeat !== undefined) await page.select('#t-recurrence', t.repeat);
	if (t.every) {
		await page.locator('#t-every-n').fill(String(t.every[0]));
		await page.select('#t-every-unit', t.every[1]);
	}
}

async function waitForTitle(page, title) {
	await page.waitForFunction((t) => Array.from(document.querySelectorAll('#task-list .task-title'))
		.some((e) => e.textContent === t), {}, title);
}

// Presses Tab until the element matching selector has the focus (at most max presses).
async function tabTo(page, selector, max = 60) {
	for (let i = 0; i < max; i++) {
		if (await page.evaluate((s) => document.activeElement && document.activeElement.matches(s), selector)) return true;
		await page.keyboard.press('Tab');
	}
	return page.evaluate((s) => document.activeElement && document.activeElement.matches(s), selector);
}

async function noHorizontalScroll(page) {
	return page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
}

const browser = await launch();
comment(`Chromium ${await browser.version()} against ${BASE}`);
const stamp = Date.now().toString(36);
const ada = { username: `ada_${stamp}`, email: `ada_${stamp}@example.com`, name: 'Ada Lovelace', password: 'analytical engine' };
let page;

await part('signed out: the sign-in form at once', async () => {
	page = await openApp(browser);
	ok(!(await isHidden(page, '#signin-form')), 'the sign-in form is shown');
	ok(await isHidden(page, '#tasks-view'), 'no task list');
	is(await page.evaluate(() => document.activeElement.id), 'signin-identifier', 'the email-or-username field has the focus');
	is(await page.$eval('label[for=signin-identifier]', (l) => l.textContent), 'Email or username', 'it asks for an email or username');
	ok(!(await isHidden(page, '#show-register')), 'a way to register is offered');
	const h = (await api('GET', '/')).headers.get('content-security-policy');
	like(h || '', /script-src 'self'; style-src 'self'/, 'the page is served under the strict CSP');
	noProblems(page, 'sign-in page');
});

await part('register, with the errors of a bad form first', async () => {
	await page.click('#show-register');
	await page.waitForSelector('#register-view:not([hidden])');
	is(await page.evaluate(() => document.activeElement.id), 'register-username', 'the username field has the focus');
	await page.locator('#register-username').fill('ab');
	await page.locator('#register-email').fill('not-an-email');
	await page.locator('#register-password').fill('short');
	await page.click('#register-form button[type=submit]');
	await page.waitForFunction(() => document.querySelector('#register-form .field-error[data-error-for~=password]').textContent !== '');
	for (const [field, label] of [['username', 'Username'], ['email', 'Email'], ['password', 'Password']]) {
		const e = await fieldError(page, '#register-form', field);
		ok(e.text.startsWith(`${label} `) && e.shown, `422: "${e.text}" next to the ${field} field`);
		ok(e.invalid, `the ${field} field is marked invalid`);
	}
	is((await api('POST', '/api/auth/login', { body: { username: 'ab', password: 'short' } })).status, 401, 'API: nothing was registered');

	await page.locator('#register-username').fill(ada.username);
	await page.locator('#register-email').fill(ada.email);
	await page.locator('#register-name').fill(ada.name);
	await page.locator('#register-password').fill(ada.password);
	await page.click('#register-form button[type=submit]');
	await page.waitForSelector('#tasks-view:not([hidden])');
	is(await text(page, '#who-name'), ada.name, 'signed in as the new user, by name');
	is(await page.evaluate(() => document.activeElement.id), 'new-task', 'the focus moves to "New task"');
	ok(await page.$eval('#filters', (d) => d.open), 'on a wide screen the filters are open');
	const r = await api('POST', '/api/auth/login', { body: { username: ada.username, password: ada.password } });
	is(r.status, 200, 'API: the account exists and the password works');
	is(r.json && [r.json.data.user.email, r.json.data.user.name], [ada.email, ada.name], 'API: with the email and name given');
	ada.id = r.json.data.user.id;
	ada.token = r.json.data.access_token;
	like(await text(page, '#page-info'), /^0–0 of 0$/, 'an empty list: 0–0 of 0');
	ok(!(await isHidden(page, '#empty')), '"No tasks match." is shown');
	noProblems(page, 'register');
});

await part('log out and in again', async () => {
	const token = (await session(page)).token;
	is((await api('GET', '/api/auth/me', { token })).status, 200, "API: the page's token works");
	await page.click('#logout');
	await page.waitForSelector('#signin-view:not([hidden])');
	is(await text(page, '#status'), 'You are signed out.', 'the page says so');
	is(await session(page), null, 'the session is gone from the page');
	is((await api('GET', '/api/auth/me', { token })).status, 401, 'API: that token is revoked');

	await page.locator('#signin-identifier').fill(ada.username);
	await page.locator('#signin-password').fill('wrong password');
	await page.click('#signin-form button[type=submit]');
	await page.waitForFunction(() => document.querySelector('#signin-form .form-error').textContent !== '');
	like(await text(page, '#signin-form .form-error'), /credentials/i, '401: the reason under the sign-in form');
	ok(await isHidden(page, '#tasks-view'), 'still signed out');

	await signIn(page, ada.email, ada.password);
	is(await text(page, '#who-name'), ada.name, 'signed in by email');
	is((await api('GET', '/api/auth/me', { token: (await session(page)).token })).status, 200, "API: the new session's token works");
	await page.click('#logout');
	await page.waitForSelector('#signin-view:not([hidden])');
	await signIn(page, ada.username, ada.password);
	is(await text(page, '#who-name'), ada.name, 'signed in by username');
	ada.token = (await session(page)).token;
	noProblems(page, 'log out and in');
});

const due1 = isoDate(5);
await part('create a task with every field', async () => {
	await openNewTask(page);
	is(await text(page, '#task-dialog-title'), 'New task', 'the dialog says "New task"');
	is(await page.evaluate(() => document.activeElement.id), 't-title', 'the title has the focus');
	await fillTask(page, { title: 'Write the report', description: 'Two pages\nwith figures', priority: 'high', due: due1, tags: 'Work, ÉTÉ, work', repeat: 'weekly' });
	await saveDialog(page);
	await waitForTitle(page, 'Write the report');
	const [t] = await pageTasks(page);
	is([t.title, t.desc, t.tags], ['Write the report', 'Two pages\nwith figures', ['work', 'été']], 'page: title, description, normalized tags');
	like(t.meta, new RegExp(`Pending.*Priority: high.*Due ${due1}.*Repeats weekly`), `page: pending, high, due ${due1}, weekly`);
	like(await text(page, '#status'), /Created “Write the report”/, 'page: "Created" is said');
	const { data } = await apiTasks(ada);
	is(data.length, 1, 'API: one task');
	const a = data[0];
	is([a.id, a.title, a.description, a.priority, a.due_date.slice(0, 10), a.tags, a.recursion_pattern, a.status],
		[t.id, 'Write the report', 'Two pages\nwith figures', 'high', due1, ['work', 'été'], 'weekly', 'pending'], 'API: every field as entered');

	await openNewTask(page);
	await fillTask(page, { title: 'Water the plants', due: isoDate(1), repeat: 'custom', every: [3, 'days'] });
	ok(!(await isHidden(page, '#t-every')), '"Every …" shows the number and unit fields');
	await saveDialog(page);
	await waitForTitle(page, 'Water the plants');
	const w = (await pageTasks(page)).find((x) => x.title === 'Water the plants');
	like(w.meta, /Repeats every 3 days/, 'page: repeats every 3 days');
	const aw = (await apiTasks(ada)).data.find((x) => x.title === 'Water the plants');
	is([aw.recursion_pattern, aw.description, aw.priority, aw.tags], ['every 3 days', null, 'medium', []], 'API: every 3 days, defaults for the rest');
	noProblems(page, 'create');
});

await part('422: each error next to its field', async () => {
	const before = (await apiTasks(ada)).meta.total;
	await openNewTask(page);
	await fillTask(page, { title: '   ', due: isoDate(-3), tags: 'ok, abcdefghijkl', repeat: 'custom', every: [400, 'days'] });
	await page.click('#task-save');
	await page.waitForFunction(() => document.querySelector('#task-form .field-error[data-error-for=title]').textContent !== '');
	ok(await page.$eval('#task-dialog', (d) => d.open), 'the dialog stays open');
	for (const [field, label, re] of [['title', 'Title', /^Title /], ['due_date', 'Due date', /^Due date .*past/],
		['tags', 'Tags', /^Tags .*abcdefghijkl/], ['recursion_pattern', 'Repeats', /^Repeats /]]) {
		const e = await fieldError(page, '#task-form', field);
		ok(re.test(e.text) && e.shown, `"${e.text}" next to the ${label} field`);
	}
	ok((await fieldError(page, '#task-form', 'title')).invalid, 'the title field is marked invalid');
	is(await page.evaluate(() => document.activeElement.id), 't-title', 'the first invalid field has the focus');
	is(await text(page, '#task-form .form-error'), '', 'no general error besides');
	is((await apiTasks(ada)).meta.total, before, 'API: nothing was created');
	await page.click('#task-cancel');
	await page.waitForSelector('#task-dialog:not([open])');
	noProblems(page, '422');
});

const due2 = isoDate(9);
let report;
await part('edit every field', async () => {
	report = (await pageTasks(page)).find((x) => x.title === 'Write the report');
	await taskButton(page, report.id, 'edit');
	await page.waitForSelector('#task-dialog[open]');
	is(await text(page, '#task-dialog-title'), 'Edit task', 'the dialog says "Edit task"');
	is(await page.evaluate(() => ['#t-title', '#t-description', '#t-priority', '#t-due', '#t-tags', '#t-recurrence']
		.map((s) => document.querySelector(s).value)),
	['Write the report', 'Two pages\nwith figures', 'high', due1, 'work, été', 'weekly'], 'the form holds the task');
	await fillTask(page, { title: 'Write the final report', description: '', priority: 'low', due: due2, tags: 'office', repeat: 'custom', every: [2, 'weeks'] });
	await saveDialog(page);
	await waitForTitle(page, 'Write the final report');
	const t = (await pageTasks(page)).find((x) => x.id === report.id);
	is([t.title, t.desc, t.tags], ['Write the final report', null, ['office']], 'page: new title, no description, new tags');
	like(t.meta, new RegExp(`Priority: low.*Due ${due2}.*Repeats every 2 weeks`), 'page: low, new due date, every 2 weeks');
	const a = (await api('GET', `/api/${ada.id}/tasks/${report.id}`, { token: ada.token })).json.data;
	is([a.title, a.description, a.priority, a.due_date.slice(0, 10), a.tags, a.recursion_pattern],
		['Write the final report', null, 'low', due2, ['office'], 'every 2 weeks'], 'API: every field changed');
	noProblems(page, 'edit');
});

await part('complete a recurring task: the next occurrence appears; reopen', async () => {
	const next = new Date(Date.parse(`${due2}T00:00:00Z`) + 14 * 86400000).toISOString().slice(0, 10);
	await taskButton(page, report.id, 'toggle');
	await page.waitForFunction((id) => document.querySelector(`#task-list li[data-id="${id}"]`)?.classList.contains('completed'), {}, report.id);
	like(await text(page, '#status'), new RegExp(`Next occurrence due ${next}`), `the page names the next occurrence (${next})`);
	const mine = (await pageTasks(page)).filter((x) => x.title === 'Write the final report');
	is(mine.length, 2, 'page: the task and its next occurrence');
	const nxt = mine.find((x) => x.id !== report.id);
	ok(nxt && !nxt.completed && nxt.meta.includes(`Due ${next}`) && nxt.meta.includes('Repeats every 2 weeks'), 'page: the next one is pending, due two weeks later, repeating');
	const done1 = mine.find((x) => x.id === report.id);
	ok(done1.completed && done1.meta.startsWith('Completed'), 'page: the first is completed');
	const api1 = (await apiTasks(ada, 'q=final')).data;
	const a = api1.find((x) => x.id === report.id);
	const b = api1.find((x) => x.id !== report.id);
	ok(a.completed && a.completed_at !== null, 'API: completed, with completed_at');
	ok(b && b.status === 'pending' && b.due_date.startsWith(next) && b.recursion_pattern === 'every 2 weeks', 'API: the next occurrence');

	await taskButton(page, report.id, 'toggle');
	await page.waitForFunction((id) => !document.querySelector(`#task-list li[data-id="${id}"]`).classList.contains('completed'), {}, report.id);
	like(await text(page, '#status'), /Reopened/, 'the page says "Reopened"');
	const r = (await api('GET', `/api/${ada.id}/tasks/${report.id}`, { token: ada.token })).json.data;
	is([r.status, r.completed, r.completed_at], ['pending', false, null], 'API: pending again, completed_at cleared');
	is((await apiTasks(ada, 'q=final')).meta.total, 2, 'API: reopening made no third task');
	noProblems(page, 'complete');
});

// ---- filters, sort, pages: a second user with 25 tasks made through the API ------------------
const bob = await apiUser('bob');
const prios = ['low', 'medium', 'high'];
for (let i = 1; i <= 25; i++) {
	const body = { title: `Item ${String(i).padStart(2, '0')}`, priority: prios[i % 3], tags: [] };
	if (i % 3 === 0) body.tags.push('alpha');
	if (i % 5 === 0) body.tags.push('beta');
	if (i % 4 === 0) body.due_date = isoDate(i);
	if (i === 7 || i === 14) body.description = 'find the needle here';
	const r = await api('POST', `/api/${bob.id}/tasks`, { token: bob.token, body });
	if (i % 6 === 0) await api('PATCH', `/api/${bob.id}/tasks/${r.json.data.id}/complete`, { token: bob.token, body: { completed: true } });
}
// one overdue: a due date in the past can be set by an update
const item2 = (await apiTasks(bob, 'q=Item%2002')).data[0];
await api('PUT', `/api/${bob.id}/tasks/${item2.id}`, { token: bob.token, body: { due_date: isoDate(-2) } });

async function applyFilters(p, f) {
	await p.click('#filter-form button[type=reset]');
	await p.select('#f-status', f.status || '');
	await p.select('#f-priority', f.priority || '');
	await p.locator('#f-tag').fill(f.tag || '');
	await p.locator('#f-q').fill(f.q || '');
	if (f.due_after) await p.locator('#f-due-after').fill(f.due_after);
	if (f.due_before) await p.locator('#f-due-before').fill(f.due_before);
	if (f.overdue) await p.click('#f-overdue');
	await p.select('#f-sort', f.sort || '-created_at');
	await p.select('#f-limit', String(f.limit || 20));
	await p.click('#filter-form button[type=submit]');
}

async function filterCase(p, name, f, query) {
	await applyFilters(p, f);
	const want = await apiTasks(bob, `${query}${query ? '&' : ''}sort=${f.sort || '-created_at'}&limit=${f.limit || 20}&offset=0`);
	const ids = want.data.map((t) => t.id);
	try {
		await waitForIds(p, ids);
		ok(true, `${name}: the page lists what the API lists (${ids.length} of ${want.meta.total})`);
	} catch (e) {
		ok(false, `${name}: the page lists what the API lists`, `API: ${ids.join(' ')}\npage: ${(await pageTasks(p)).map((t) => t.id).join(' ')}`);
	}
	return want;
}

await part('filter by status, priority, tag, text and due dates; sort', async () => {
	page = await openApp(browser);
	await signIn(page, bob.email, bob.password);
	await waitForIds(page, (await apiTasks(bob, 'limit=20')).data.map((t) => t.id));
	is(await text(page, '#page-info'), '1–20 of 25', 'the first page: 1–20 of 25');
	let w = await filterCase(page, 'status completed', { status: 'completed' }, 'status=completed');
	ok(w.data.length === 4 && (await pageTasks(page)).every((t) => t.completed), 'four, all shown completed');
	w = await filterCase(page, 'priority high', { priority: 'high' }, 'priority=high');
	ok((await pageTasks(page)).every((t) => t.meta.includes('Priority: high')) && w.data.length === 8, 'eight, all high');
	w = await filterCase(page, 'tag alpha', { tag: 'alpha' }, 'tag=alpha');
	ok((await pageTasks(page)).every((t) => t.tags.includes('alpha')) && w.data.length === 8, 'eight, all tagged alpha');
	w = await filterCase(page, 'tags alpha and beta', { tag: 'alpha, beta' }, 'tag=alpha&tag=beta');
	is((await pageTasks(page)).map((t) => t.title), ['Item 15'], 'tags alpha and beta: Item 15 only');
	w = await filterCase(page, 'text "NEEDLE"', { q: 'NEEDLE' }, 'q=NEEDLE');
	is((await pageTasks(page)).map((t) => t.title).sort(), ['Item 07', 'Item 14'], 'text: the two with it in their description');
	w = await filterCase(page, 'due dates', { due_after: isoDate(5), due_before: isoDate(17), sort: 'due_date' }, `due_after=${isoDate(5)}&due_before=${isoDate(17)}`);
	is((await pageTasks(page)).map((t) => t.title), ['Item 08', 'Item 12', 'Item 16'], 'due after +5 and before +17 days, soonest first');
	w = await filterCase(page, 'overdue', { overdue: true }, 'overdue=true');
	is((await pageTasks(page)).map((t) => t.title), ['Item 02'], 'overdue: the one due two days ago');
	like((await pageTasks(page))[0].meta, /\(overdue\)/, 'marked overdue on the page');
	w = await filterCase(page, 'sort title Z-A', { sort: '-title' }, '');
	is((await pageTasks(page)).slice(0, 3).map((t) => t.title), ['Item 25', 'Item 24', 'Item 23'], 'Z-A: Item 25 first');
	w = await filterCase(page, 'sort priority high first', { sort: '-priority', limit: 50 }, '');
	const pr = (await pageTasks(page)).map((t) => t.priority);
	is(pr.join(','), [...pr].sort((a, b) => prios.indexOf(b) - prios.indexOf(a)).join(','), 'high, then medium, then low');
	await page.click('#filter-form button[type=reset]');
	await waitForIds(page, (await apiTasks(bob, 'limit=20')).data.map((t) => t.id));
	ok(true, 'Clear: back to every task, newest first');
	noProblems(page, 'filters');
});

await part('pages', async () => {
	await filterCase(page, 'title A-Z, 10 a page', { sort: 'title', limit: 10 }, '');
	is(await text(page, '#page-info'), '1–10 of 25', 'page 1: 1–10 of 25');
	ok(await page.$eval('#prev', (b) => b.disabled), 'no previous page');
	for (const [offset, info] of [[10, '11–20 of 25'], [20, '21–25 of 25']]) {
		await page.click('#next');
		await waitForIds(page, (await apiTasks(bob, `sort=title&limit=10&offset=${offset}`)).data.map((t) => t.id));
		is(await text(page, '#page-info'), info, `Next: ${info}, as the API's offset ${offset}`);
	}
	ok(await page.$eval('#next', (b) => b.disabled), 'no next page after the last');
	await page.click('#prev');
	await waitForIds(page, (await apiTasks(bob, 'sort=title&limit=10&offset=10')).data.map((t) => t.id));
	is(await text(page, '#page-info'), '11–20 of 25', 'Previous: back to 11–20');
	noProblems(page, 'pages');
});

await part('delete', async () => {
	await applyFilters(page, { sort: 'title', limit: 50 });
	await waitForTitle(page, 'Item 01');
	const victim = (await pageTasks(page)).find((t) => t.title === 'Item 01');
	page.onDialog = (d) => d.dismiss();
	await taskButton(page, victim.id, 'delete');
	await new Promise((r) => setTimeout(r, 300));
	is((await api('GET', `/api/${bob.id}/tasks/${victim.id}`, { token: bob.token })).status, 200, 'cancelled: API still has it');
	ok((await pageTasks(page)).some((t) => t.id === victim.id), 'cancelled: still on the page');
	let asked = '';
	page.onDialog = (d) => { asked = d.message(); d.accept(); };
	await taskButton(page, victim.id, 'delete');
	await page.waitForFunction((id) => !document.querySelector(`#task-list li[data-id="${id}"]`), {}, victim.id);
	is(asked, 'Delete “Item 01”?', 'the page asked first, naming the task');
	like(await text(page, '#status'), /Deleted “Item 01”/, 'the page says it is deleted');
	is((await api('GET', `/api/${bob.id}/tasks/${victim.id}`, { token: bob.token })).status, 404, 'API: gone');
	page.onDialog = null;
	noProblems(page, 'delete');
});

await part('other API errors, each next to what caused it', async () => {
	// a task deleted elsewhere: Complete, then Save in its edit dialog
	const [t1, t2] = (await pageTasks(page)).slice(0, 2);
	await api('DELETE', `/api/${bob.id}/tasks/${t1.id}`, { token: bob.token });
	await taskButton(page, t1.id, 'toggle');
	await page.waitForFunction((id) => document.querySelector(`#task-list li[data-id="${id}"] .task-error`).textContent !== '', {}, t1.id);
	like((await pageTasks(page)).find((t) => t.id === t1.id).error, /not found/i, '404 on Complete: shown in that task');
	await taskButton(page, t2.id, 'edit');
	await page.waitForSelector('#task-dialog[open]');
	await api('DELETE', `/api/${bob.id}/tasks/${t2.id}`, { token: bob.token });
	await page.locator('#t-title').fill('Renamed');
	await page.click('#task-save');
	await page.waitForFunction(() => document.querySelector('#task-form .form-error').textContent !== '');
	like(await text(page, '#task-form .form-error'), /not found/i, '404 on Save: shown in the dialog');
	await page.click('#task-cancel');

	// 409 on register: the username of an existing account
	const p2 = await openApp(browser);
	await p2.click('#show-register');
	await p2.locator('#register-username').fill(bob.username);
	await p2.locator('#register-email').fill(`other_${stamp}@example.com`);
	await p2.locator('#register-password').fill('long enough pw');
	await p2.click('#register-form button[type=submit]');
	await p2.waitForFunction(() => document.querySelector('#register-form .form-error').textContent !== '');
	like(await text(p2, '#register-form .form-error'), /taken|exists|already/i, `409: "${await text(p2, '#register-form .form-error')}" under the form`);
	noProblems(p2, 'register 409');

	// 429: an account name throttled after repeated failures (from this address too)
	const tom = await apiUser('tom');
	let last = 0;
	for (let i = 0; i < 8 && last !== 429; i++) {
		last = (await api('POST', '/api/auth/login', { body: { username: tom.username, password: 'wrong password' } })).status;
	}
	is(last, 429, 'API: repeated failures throttle the account name');
	await p2.click('#show-signin');
	await p2.locator('#signin-identifier').fill(tom.username);
	await p2.locator('#signin-password').fill(tom.password);
	await p2.click('#signin-form button[type=submit]');
	await p2.waitForFunction(() => document.querySelector('#signin-form .form-error').textContent !== '');
	like(await text(p2, '#signin-form .form-error'), /^Too many attempts: try again in \d+ (seconds|minutes)\.$/, `429: "${await text(p2, '#signin-form .form-error')}" under the form`);
	ok(await isHidden(p2, '#tasks-view'), '429: still signed out');
	noProblems(p2, 'sign-in 429');
	await p2.browserContext().close();

	// the session revoked elsewhere: the next request signs the page out, saying why
	await api('POST', '/api/auth/logout', { token: (await session(page)).token });
	await page.click('#filter-form button[type=submit]');
	await page.waitForSelector('#signin-view:not([hidden])');
	is(await text(page, '#status'), 'Your session has ended. Please sign in again.', '401: signed out, with the reason');
	noProblems(page, 'errors');
	await page.browserContext().close();
});

await part('the keyboard alone: sign in, create, complete, cancel, log out', async () => {
	const kim = await apiUser('kim');
	page = await openApp(browser);
	const kb = page.keyboard;
	is(await page.evaluate(() => document.activeElement.id), 'signin-identifier', 'focus starts in the sign-in form');
	await kb.type(kim.username);
	await kb.press('Tab');
	await kb.type(kim.password);
	await kb.press('Enter');
	await page.waitForSelector('#tasks-view:not([hidden])');
	ok(true, 'signed in with Tab and Enter');
	is(await page.evaluate(() => document.activeElement.id), 'new-task', '"New task" has the focus');
	await kb.press('Enter');
	await page.waitForSelector('#task-dialog[open]');
	await kb.type('Typed with keys');
	await kb.press('Tab');
	await kb.type('no mouse at all');
	await kb.press('Tab');
	await kb.type('h');                          // the priority list: "High"
	ok(await tabTo(page, '#t-tags'), 'Tab reaches the tags field');
	await kb.type('keys');
	await kb.press('Enter');                    // submits the form
	await page.waitForSelector('#task-dialog:not([open])');
	await waitForTitle(page, 'Typed with keys');
	const [a] = (await apiTasks(kim)).data;
	is(a && [a.title, a.description, a.priority, a.tags], ['Typed with keys', 'no mouse at all', 'high', ['keys']], 'API: created from key presses');
	ok(await tabTo(page, `#task-list li[data-id="${a.id}"] .task-toggle`), 'Tab reaches its "Complete" button');
	await kb.press('Space');
	await page.waitForFunction((id) => document.querySelector(`#task-list li[data-id="${id}"]`)?.classList.contains('completed'), {}, a.id);
	is((await apiTasks(kim)).data[0].completed, true, 'API: completed with the space bar');
	ok(await tabTo(page, '#new-task'), 'Tab reaches "New task" again');
	await kb.press('Enter');
	await page.waitForSelector('#task-dialog[open]');
	await kb.type('Never saved');
	await kb.press('Escape');
	await page.waitForSelector('#task-dialog:not([open])');
	is((await apiTasks(kim)).meta.total, 1, 'Escape closes the dialog, nothing created');
	ok(await tabTo(page, '#logout'), 'Tab reaches "Log out"');
	await kb.press('Enter');
	await page.waitForSelector('#signin-view:not([hidden])');
	ok(true, 'logged out with Enter');
	const focusRing = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
	is(focusRing, 'solid', 'the focused field shows a focus ring');
	noProblems(page, 'keyboard');
	await page.browserContext().close();
});

await part('a phone-sized screen', async () => {
	const pat = await apiUser('pat');
	page = await openApp(browser, PHONE);
	ok(await noHorizontalScroll(page), 'sign-in: nothing wider than the screen');
	await signIn(page, pat.username, pat.password);
	ok(await noHorizontalScroll(page), 'task list: nothing wider than the screen');
	ok(!(await page.$eval('#filters', (d) => d.open)), 'the filters are folded, the tasks come first');
	await page.tap('#filters > summary');
	await page.waitForSelector('#f-priority', { visible: true });
	ok(await noHorizontalScroll(page), 'the filters unfold by tapping, nothing wider than the screen');
	await page.tap('#filters > summary');
	await page.tap('#new-task');
	await page.waitForSelector('#task-dialog[open]');
	const box = await (await page.$('#task-dialog')).boundingBox();
	ok(box.x >= 0 && box.x + box.width <= PHONE.width, `the dialog fits the screen (${Math.round(box.x)}+${Math.round(box.width)} of ${PHONE.width})`);
	await page.locator('#t-title').fill('From the phone');
	await page.locator('#t-tags').fill('mobile');
	await page.tap('#task-save');
	await page.waitForSelector('#task-dialog:not([open])');
	await waitForTitle(page, 'From the phone');
	const [a] = (await apiTasks(pat)).data;
	is(a && [a.title, a.tags], ['From the phone', ['mobile']], 'API: created by tapping');
	const btn = await (await page.$(`#task-list li[data-id="${a.id}"] .task-toggle`)).boundingBox();
	ok(btn.x >= 0 && btn.x + btn.width <= PHONE.width && btn.height >= 30, 'its buttons are on screen and big enough to tap');
	await page.tap(`#task-list li[data-id="${a.id}"] .task-toggle`);
	await page.waitForFunction((id) => document.querySelector(`#task-list li[data-id="${id}"]`)?.classList.contains('completed'), {}, a.id);
	is((await apiTasks(pat)).data[0].completed, true, 'API: completed by tapping');
	ok(await noHorizontalScroll(page), 'still nothing wider than the screen');
	noProblems(page, 'phone');
});

await browser.close();
clearTimeout(killer);
process.exit(done() === 0 ? 0 : 1);
