// test/browser/screenshots.mjs - the main views of the web app as PNG files, at desktop and
// phone width: sign-in, the task list, the edit dialog. `make screenshots` runs it
// (scripts/screenshots.sh starts the gateway and a throwaway database for it).
//
//   TODO_BASE_URL=http://... SCREENSHOT_DIR=docs/screenshots node test/browser/screenshots.mjs
import fs from 'node:fs';
import path from 'node:path';
import { api, apiUser, launch, openApp, waitForIds, apiTasks, isoDate, DESKTOP, PHONE } from './lib.mjs';

const dir = process.env.SCREENSHOT_DIR || 'docs/screenshots';
fs.mkdirSync(dir, { recursive: true });

// a user with a plausible week of tasks
const user = await apiUser('ada', 'Ada Lovelace');
const tasks = [
	{ title: 'Renew passport', description: 'Photos are in the top drawer.', priority: 'high', due_date: isoDate(3), tags: ['admin'] },
	{ title: 'Water the plants', priority: 'low', due_date: isoDate(1), tags: ['home'], recursion_pattern: 'every 3 days' },
	{ title: 'Quarterly report', description: 'Figures from finance, two pages.', priority: 'high', due_date: isoDate(10), tags: ['work', 'q4'], recursion_pattern: 'monthly' },
	{ title: 'Book dentist appointment', priority: 'medium', tags: ['health'] },
	{ title: 'Team retrospective', priority: 'medium', due_date: isoDate(6), tags: ['work'], recursion_pattern: 'weekly' },
	{ title: 'Buy birthday present for Sam', priority: 'medium', due_date: isoDate(12), tags: ['family'] },
];
const ids = [];
for (const t of tasks) ids.push((await api('POST', `/api/${user.id}/tasks`, { token: user.token, body: t })).json.data.id);
await api('PATCH', `/api/${user.id}/tasks/${ids[3]}/complete`, { token: user.token, body: { completed: true } });

const browser = await launch();
try {
	for (const [name, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
		const page = await openApp(browser, viewport);
		const shot = async (view) => {
			const file = path.join(dir, `${view}-${name}.png`);
			await page.screenshot({ path: file, fullPage: view !== 'edit' });
			console.log(`screenshots: ${file}`);
		};
		await page.evaluate(() => document.activeElement.blur());
		await shot('signin');
		await page.locator('#signin-identifier').fill(user.username);
		await page.locator('#signin-password').fill(user.password);
		await page.click('#signin-form button[type=submit]');
		await page.waitForSelector('#tasks-view:not([hidden])');
		await waitForIds(page, (await apiTasks(user, 'limit=20')).data.map((t) => t.id));
		await page.evaluate(() => document.activeElement.blur());
		await shot('tasks');
		await page.click(`#task-list li[data-id="${ids[2]}"] .task-edit`);
		await page.waitForSelector('#task-dialog[open]');
		await shot('edit');
		await page.browserContext().close();
	}
} finally {
	await browser.close();
}
