// The todo web app: plain DOM and fetch against the gateway's own /api (same origin).
// Text from the API is only ever set with textContent, never parsed as HTML.
'use strict';

const $ = (id) => document.getElementById(id);
const SESSION_KEY = 'todo.session';

const state = {
	session: null,      // {token, user}
	offset: 0,
	total: 0,
	limit: 20,
	editing: null,      // the task being edited, or null when creating
	listSeq: 0,         // the latest list request: an older answer arriving late is dropped
};

// ---- the API -------------------------------------------------------------------------

class ApiError extends Error {
	constructor(status, error, headers) {
		super(error && error.message ? error.message : `request failed (${status})`);
		this.status = status;
		this.code = error ? error.code : 'network';
		this.details = (error && error.details) || [];
		this.retryAfter = headers ? headers.get('Retry-After') : null;
	}
}

// One request; resolves to the envelope ({data, meta}) or null for 204, rejects with ApiError.
async function api(method, path, body) {
	const headers = {};
	if (state.session) headers.Authorization = `Bearer ${state.session.token}`;
	if (body !== undefined) headers['Content-Type'] = 'application/json';
	let res;
	try {
		res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
	} catch (e) {
		throw new ApiError(0, { code: 'network', message: 'The server cannot be reached. Check your connection and try again.' });
	}
	if (res.status === 204) return null;
	let envelope = null;
	try { envelope = await res.json(); } catch (e) { /* not JSON: handled below */ }
	if (!res.ok || !envelope) {
		const err = new ApiError(res.status, envelope && envelope.error, res.headers);
		if (res.status === 401 && state.session) signOut('Your session has ended. Please sign in again.');
		throw err;
	}
	return envelope;
}

const userPath = (suffix) => `/api/${encodeURIComponent(state.session.user.id)}/tasks${suffix || ''}`;

// ---- messages next to what caused them ------------------------------------------------

function say(text, isError) {
	const s = $('status');
	s.textContent = text || '';
	s.classList.toggle('error', !!isError);
}

function clearErrors(form) {
	form.querySelectorAll('.field-error, .form-error').forEach((p) => { p.textContent = ''; });
	form.querySelectorAll('[aria-invalid]').forEach((el) => el.removeAttribute('aria-invalid'));
}

// The words a person sees for the API's field names.
const FIELD_LABELS = {
	title: 'Title', description: 'Description', priority: 'Priority', due_date: 'Due date',
	tags: 'Tags', recursion_pattern: 'Repeats', completed: 'Completed', status: 'Status',
	username: 'Username', email: 'Email', password: 'Password', name: 'Name',
};

// Retry-After's seconds as a person reads them.
function waitText(s) {
	if (!(s > 0)) return 'a moment';
	if (s < 120) return `${Math.ceil(s)} seconds`;
	return `${Math.ceil(s / 60)} minutes`;
}

// Shows an ApiError in form: each 422 detail next to its field, the rest as the form's error.
function showError(form, err) {
	let placed = false;
	for (const d of err.details) {
		const field = String(d.field || '').split(/[.[]/)[0];
		const p = Array.from(form.querySelectorAll('.field-error'))
			.find((el) => el.dataset.errorFor.split(' ').includes(field));
		if (p) {
			const label = FIELD_LABELS[field] || field;
			p.textContent = p.textContent ? `${p.textContent} ${d.message}` : `${label} ${d.message}`;
			const input = p.previousElementSibling;
			if (input && input.matches('input, select, textarea')) input.setAttribute('aria-invalid', 'true');
			placed = true;
		}
	}
	let text = err.message;
	if (err.status === 429 && err.retryAfter) text = `Too many attempts: try again in ${waitText(Number(err.retryAfter))}.`;
	if (!placed || err.details.length === 0) form.querySelector('.form-error').textContent = text;
	const first = form.querySelector('[aria-invalid=true]');
	if (first) first.focus();
}

// ---- signing in and out ---------------------------------------------------------------

function show(view) {
	for (const v of ['signin-view', 'register-view', 'tasks-view']) $(v).hidden = v !== view;
	$('who').hidden = view !== 'tasks-view';
}

function startSession(data) {
	state.session = { token: data.access_token, user: data.user };
	sessionStorage.setItem(SESSION_KEY, JSON.stringify(state.session));
	$('who-name').textContent = data.user.name || data.user.username;
	state.offset = 0;
	show('tasks-view');
	$('new-task').focus();     // keyboard users go on from the first action of the view
	loadTasks();
}

function signOut(message) {
	state.session = null;
	sessionStorage.removeItem(SESSION_KEY);
	$('task-list').replaceChildren();
	show('signin-view');
	say(message || '', !!message);
	$('signin-identifier').focus();
}

async function onSignIn(event) {
	event.preventDefault();
	const form = event.target;
	clearErrors(form);
	const id = form.identifier.value.trim();
	const body = id.includes('@') ? { email: id } : { username: id };
	body.password = form.password.value;
	try {
		const env = await api('POST', '/api/auth/login', body);
		form.reset();
		say('');
		startSession(env.data);
	} catch (err) { showError(form, err); }
}

async function onRegister(event) {
	event.preventDefault();
	const form = event.target;
	clearErrors(form);
	const body = { username: form.username.value.trim(), email: form.email.value.trim(), password: form.password.value };
	if (form.name.value.trim()) body.name = form.name.value.trim();
	try {
		const env = await api('POST', '/api/auth/register', body);
		form.reset();
		say('Welcome! Your account is ready.');
		startSession(env.data);
	} catch (err) { showError(form, err); }
}

async function onLogout() {
	try { await api('POST', '/api/auth/logout'); } catch (err) { /* signed out either way */ }
	signOut('');
	say('You are signed out.');
}

// ---- the list -------------------------------------------------------------------------

function listQuery() {
	const f = $('filter-form');
	const q = new URLSearchParams();
	for (const name of ['status', 'priority', 'q', 'due_after', 'due_before', 'sort']) {
		const v = f[name].value.trim();
		if (v) q.set(name, v);
	}
	for (const tag of f.tag.value.split(',').map((t) => t.trim()).filter(Boolean)) q.append('tag', tag);
	if (f.overdue.checked) q.set('overdue', 'true');
	state.limit = Number(f.limit.value);
	q.set('limit', String(state.limit));
	q.set('offset', String(state.offset));
	return q.toString();
}

async function loadTasks() {
	const form = $('filter-form');
	const seq = ++state.listSeq;
	clearErrors(form);
	try {
		const env = await api('GET', `${userPath()}?${listQuery()}`);
		if (seq !== state.listSeq) return;
		state.total = env.meta.total;
		renderTasks(env.data);
	} catch (err) { if (state.session && seq === state.listSeq) showError(form, err); }
}

function dateOnly(ts) { return ts ? ts.slice(0, 10) : ''; }

function renderTasks(tasks) {
	const list = $('task-list');
	list.replaceChildren(...tasks.map(renderTask));
	$('empty').hidden = tasks.length > 0;
	const from = state.total === 0 ? 0 : state.offset + 1;
	const to = state.offset + tasks.length;
	$('page-info').textContent = `${from}–${to} of ${state.total}`;
	$('prev').disabled = state.offset === 0;
	$('next').disabled = to >= state.total;
}

function el(tag, className, text) {
	const e = document.createElement(tag);
	if (className) e.className = className;
	if (text !== undefined) e.textContent = text;
	return e;
}

function renderTask(t) {
	const li = el('li', `task priority-${t.priority}${t.completed ? ' completed' : ''}`);
	li.dataset.id = t.id;
	li.append(el('span', 'task-title', t.title));
	if (t.description) li.append(el('p', 'task-desc', t.description));
	const meta = el('div', 'task-meta');
	meta.append(el('span', 'task-status', t.completed ? 'Completed' : 'Pending'));
	meta.append(el('span', 'task-priority', `Priority: ${t.priority}`));
	if (t.due_date) {
		const overdue = !t.completed && new Date(t.due_date) < new Date();
		meta.append(el('span', overdue ? 'task-due overdue' : 'task-due', `Due ${dateOnly(t.due_date)}${overdue ? ' (overdue)' : ''}`));
	}
	if (t.recursion_pattern) meta.append(el('span', 'task-repeat', `Repeats ${t.recursion_pattern}`));
	for (const tag of t.tags) meta.append(el('span', 'tag', tag));
	li.append(meta);
	const actions = el('div', 'task-actions');
	const toggle = el('button', 'secondary task-toggle', t.completed ? 'Reopen' : 'Complete');
	toggle.type = 'button';
	toggle.setAttribute('aria-label', `${t.completed ? 'Reopen' : 'Complete'} “${t.title}”`);
	toggle.addEventListener('click', () => toggleTask(t));
	const edit = el('button', 'secondary task-edit', 'Edit');
	edit.type = 'button';
	edit.setAttribute('aria-label', `Edit “${t.title}”`);
	edit.addEventListener('click', () => openTaskDialog(t));
	const del = el('button', 'danger task-delete', 'Delete');
	del.type = 'button';
	del.setAttribute('aria-label', `Delete “${t.title}”`);
	del.addEventListener('click', () => deleteTask(t));
	actions.append(toggle, edit, del);
	li.append(actions);
	const error = el('p', 'task-error');
	error.setAttribute('role', 'alert');
	li.append(error);
	return li;
}

// An error about one task, shown in its own list item.
function taskError(t, err) {
	const li = $('task-list').querySelector(`li[data-id="${CSS.escape(t.id)}"]`);
	if (!li) { say(err.message, true); return; }
	li.querySelector('.task-error').textContent = err.message;
	say('');
}

async function toggleTask(t) {
	try {
		const env = await api('PATCH', userPath(`/${t.id}/complete`), { completed: !t.completed });
		const next = env.meta && env.meta.next_task;
		say(next ? `Completed “${t.title}”. Next occurrence due ${dateOnly(next.due_date)}.`
			: `${env.data.completed ? 'Completed' : 'Reopened'} “${t.title}”.`);
		await loadTasks();
	} catch (err) { taskError(t, err); }
}

async function deleteTask(t) {
	if (!window.confirm(`Delete “${t.title}”?`)) return;
	try {
		await api('DELETE', userPath(`/${t.id}`));
		say(`Deleted “${t.title}”.`);
		if (state.offset > 0 && state.offset >= state.total - 1) state.offset = Math.max(0, state.offset - state.limit);
		await loadTasks();
	} catch (err) { taskError(t, err); }
}

// ---- create and edit ------------------------------------------------------------------

const PRESETS = ['daily', 'weekly', 'monthly', 'yearly'];

function openTaskDialog(task) {
	const form = $('task-form');
	clearErrors(form);
	form.reset();
	state.editing = task || null;
	$('task-dialog-title').textContent = task ? 'Edit task' : 'New task';
	$('t-status-row').hidden = !task;
	if (task) {
		form.title.value = task.title;
		form.description.value = task.description || '';
		form.priority.value = task.priority;
		form.due_date.value = dateOnly(task.due_date);
		form.tags.value = task.tags.join(', ');
		form.completed.checked = task.completed;
		const p = task.recursion_pattern;
		const m = p && /^every (\d+) (days|weeks|months|years)$/.exec(p);
		form.recurrence.value = !p ? '' : PRESETS.includes(p) ? p : 'custom';
		if (m) { form.every_n.value = m[1]; form.every_unit.value = m[2]; }
	}
	$('t-every').hidden = form.recurrence.value !== 'custom';
	$('task-dialog').showModal();
	form.title.focus();
}

function formFields(form) {
	const r = form.recurrence.value;
	return {
		title: form.title.value,
		description: form.description.value === '' ? null : form.description.value,
		priority: form.priority.value,
		due_date: form.due_date.value === '' ? null : form.due_date.value,
		tags: form.tags.value.split(',').map((t) => t.trim()).filter(Boolean),
		recursion_pattern: r === '' ? null : r === 'custom' ? `every ${form.every_n.value} ${form.every_unit.value}` : r,
	};
}

// An update sends only what changed, so an untouched due time is not rounded to a date.
function changedFields(task, fields, form) {
	const body = {};
	for (const [k, v] of Object.entries(fields)) {
		const old = k === 'due_date' ? (task.due_date ? dateOnly(task.due_date) : null) : task[k];
		if (JSON.stringify(old) !== JSON.stringify(v)) body[k] = v;
	}
	if (form.completed.checked !== task.completed) body.completed = form.completed.checked;
	return body;
}

async function onSaveTask(event) {
	event.preventDefault();
	const form = event.target;
	clearErrors(form);
	const fields = formFields(form);
	try {
		if (state.editing) {
			const env = await api('PUT', userPath(`/${state.editing.id}`), changedFields(state.editing, fields, form));
			say(`Saved “${env.data.title}”.`);
		} else {
			const body = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== null && !(Array.isArray(v) && v.length === 0)));
			const env = await api('POST', userPath(), body);
			say(`Created “${env.data.title}”.`);
			state.offset = 0;
		}
		$('task-dialog').close();
		await loadTasks();
	} catch (err) { showError(form, err); }
}

// ---- wiring ---------------------------------------------------------------------------

function init() {
	$('signin-form').addEventListener('submit', onSignIn);
	$('register-form').addEventListener('submit', onRegister);
	$('show-register').addEventListener('click', () => { show('register-view'); $('register-username').focus(); });
	$('show-signin').addEventListener('click', () => { show('signin-view'); $('signin-identifier').focus(); });
	$('logout').addEventListener('click', onLogout);
	$('filter-form').addEventListener('submit', (e) => { e.preventDefault(); state.offset = 0; loadTasks(); });
	$('filter-form').addEventListener('reset', () => { state.offset = 0; setTimeout(loadTasks, 0); });
	$('prev').addEventListener('click', () => { state.offset = Math.max(0, state.offset - state.limit); loadTasks(); });
	$('next').addEventListener('click', () => { state.offset += state.limit; loadTasks(); });
	$('new-task').addEventListener('click', () => openTaskDialog(null));
	$('task-form').addEventListener('submit', onSaveTask);
	$('task-cancel').addEventListener('click', () => $('task-dialog').close());
	$('t-recurrence').addEventListener('change', (e) => { $('t-every').hidden = e.target.value !== 'custom'; });
	// the filters take a whole phone screen: folded there, open on wider screens
	$('filters').open = window.matchMedia('(min-width: 40rem)').matches;

	const saved = sessionStorage.getItem(SESSION_KEY);
	if (saved) {
		state.session = JSON.parse(saved);
		api('GET', '/api/auth/me').then((env) => startSession({ access_token: state.session.token, user: env.data }))
			.catch(() => signOut(''));
	} else {
		show('signin-view');
		$('signin-identifier').focus();
	}
}

document.addEventListener('DOMContentLoaded', init);
