// test/openapi/client.ts - a small typed client of the API, on the types openapi-typescript
// generates from gateway/openapi/openapi.json (test/suites/openapi.sh writes them to
// api.d.ts beside a copy of this file, then compiles it with `tsc --strict` and runs it
// against a gateway). A type error here means the document no longer describes what a
// client needs: the suite fails.
import type { components, paths } from './api.js';

// Node's globals, declared here rather than pulling in @types/node
declare const process: { argv: string[]; exit(code: number): never };

type Task = components['schemas']['Task'];
type User = components['schemas']['User'];
type TaskCreate = components['schemas']['TaskCreate'];
type ListQuery = NonNullable<paths['/api/{user_id}/tasks']['get']['parameters']['query']>;
type AuthResult = components['schemas']['AuthResult'];
type ErrorCode = components['schemas']['ErrorCode'];
type ListMeta = components['schemas']['ListMeta'];

/* The envelope every JSON answer has. */
interface Envelope<T, M = undefined> {
	status: number;
	data: T | null;
	meta?: M;
	error: { code: ErrorCode; message: string; details?: { field: string; message: string }[] } | null;
}

export class ApiError extends Error {
	constructor(readonly status: number, readonly code: ErrorCode, message: string) {
		super(message);
	}
}

export class TodoClient {
	private token: string | null = null;
	private userId: string | null = null;

	constructor(private readonly base: string) {}

	private async call<T, M = undefined>(method: string, path: string, body?: unknown): Promise<{ data: T; meta?: M }> {
		const headers: Record<string, string> = {};
		if (this.token) headers.Authorization = `Bearer ${this.token}`;
		if (body !== undefined) headers['Content-Type'] = 'application/json';
		const res = await fetch(this.base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
		if (res.status === 204) return { data: undefined as T };
		const env = (await res.json()) as Envelope<T, M>;
		if (env.error) throw new ApiError(res.status, env.error.code, env.error.message);
		return { data: env.data as T, meta: env.meta };
	}

	async register(username: string, email: string, password: string): Promise<User> {
		const { data } = await this.call<AuthResult>('POST', '/api/auth/register', { username, email, password });
		this.token = data.access_token;
		this.userId = data.user.id;
		return data.user;
	}

	private tasksPath(): string {
		if (!this.userId) throw new Error('register or log in first');
		return `/api/${encodeURIComponent(this.userId)}/tasks`;
	}

	async createTask(t: TaskCreate): Promise<Task> {
		return (await this.call<Task>('POST', this.tasksPath(), t)).data;
	}

	async listTasks(q: ListQuery = {}): Promise<{ tasks: Task[]; meta: ListMeta }> {
		const qs = new URLSearchParams();
		for (const [k, v] of Object.entries(q)) {
			for (const one of Array.isArray(v) ? v : [v]) if (one !== undefined) qs.append(k, String(one));
		}
		const s = qs.toString();
		const { data, meta } = await this.call<Task[], ListMeta>('GET', this.tasksPath() + (s ? `?${s}` : ''));
		return { tasks: data, meta: meta as ListMeta };
	}

	async complete(id: string, completed?: boolean): Promise<Task> {
		const body = completed === undefined ? undefined : { completed };
		return (await this.call<Task>('PATCH', `${this.tasksPath()}/${encodeURIComponent(id)}/complete`, body)).data;
	}
}

// Run against a gateway: node client.js BASE_URL prints one TAP line a check.
async function main(base: string): Promise<void> {
	const c = new TodoClient(base);
	const name = `ts_${Date.now().toString(36)}${Math.floor(Math.random() * 1e6)}`.slice(0, 30);
	let n = 0;
	const ok = (cond: boolean, what: string) => console.log(`${cond ? '' : 'not '}ok ${++n} - typed client: ${what}`);
	const user = await c.register(name, `${name}@example.com`, 'correct horse 9');
	ok(user.username === name, 'register');
	const t = await c.createTask({ title: 'typed', priority: 'HIGH', tags: ['ts'] });
	ok(t.priority === 'high' && t.tags[0] === 'ts', 'create a task');
	const { tasks, meta } = await c.listTasks({ tag: ['ts'], sort: 'title', limit: 10 });
	ok(tasks.length === 1 && meta.total === 1 && meta.limit === 10, 'list with a typed query');
	ok((await c.complete(t.id, true)).status === 'completed', 'complete');
	try {
		await c.createTask({ title: '' });
		ok(false, 'an empty title is refused');
	} catch (e) {
		ok(e instanceof ApiError && e.status === 422 && e.code === 'validation_failed', 'an empty title is a typed 422');
	}
}

main(process.argv[2] ?? 'http://127.0.0.1:8080').catch((e: unknown) => {
	console.log(`not ok - typed client: ${String(e)}`);
	process.exit(1);
});
