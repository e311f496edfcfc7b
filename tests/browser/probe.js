#!/usr/bin/env node
// tests/browser/probe.js - load pages in a real headless Chromium and
// report what their DOM holds, as one JSON object per page on stdout.
//
//	node probe.js [--shot FILE.png] [--width N] URL ...
//
// Chromium is driven over the Chrome DevTools Protocol on a pipe
// (--remote-debugging-pipe: we write NUL-terminated JSON to its fd 3 and
// read its fd 4), so nothing listens on a port and nothing is fetched:
// only Node built-ins and Debian's chromium.  For each URL it reports the
// title, the health badges, every SVG polyline's class and point count
// (from the SVG DOM, points.numberOfItems), the alert summaries, the
// <img> and <script> elements, and every JavaScript dialog the page
// opened (an injected alert(1) would show up there).  With --shot, the
// last page is saved as a PNG.  Exit 0, or 1 with a message on stderr.
'use strict';
const { spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const args = process.argv.slice(2);
let shot = null;
let width = 1280;
const urls = [];
while (args.length) {
	const a = args.shift();
	if (a === '--shot') shot = args.shift();
	else if (a === '--width') width = Number(args.shift());
	else urls.push(a);
}
if (urls.length === 0) {
	process.stderr.write('usage: probe.js [--shot file.png] [--width n] url ...\n');
	process.exit(2);
}

const chromium = process.env.CHROMIUM || 'chromium';
const profile = fs.mkdtempSync(path.join(process.env.TMPDIR || os.tmpdir(), 'sbchrome.'));
const child = spawn(chromium, [
	'--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
	'--no-first-run', '--disable-background-networking',
	'--disable-component-update', '--disable-sync',
	'--disable-dev-shm-usage', '--hide-scrollbars', '--mute-audio',
	'--user-data-dir=' + profile, '--remote-debugging-pipe', 'about:blank',
], { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] });
let stderr = '';
child.stdio[2].on('data', (d) => { stderr += d; });

const out = child.stdio[3];
const inp = child.stdio[4];
let nextId = 1;
const pending = new Map();
const listeners = [];
let rbuf = Buffer.alloc(0);

function rmProfile() {
	try {
		fs.rmSync(profile, { recursive: true, force: true, maxRetries: 5 });
	} catch (e) { /* chromium still writing: the test's temp dir goes anyway */ }
}

function cleanup() {
	try { child.kill('SIGKILL'); } catch (e) { /* gone */ }
	rmProfile();
}

function fail(msg) {
	process.stderr.write('probe.js: ' + msg + '\n');
	if (stderr) process.stderr.write(stderr.split('\n').slice(-5).join('\n') + '\n');
	cleanup();
	process.exit(1);
}

const timer = setTimeout(() => fail('timed out after 60 s'), 60000);
child.on('error', (e) => fail('cannot run ' + chromium + ': ' + e.message));
child.on('exit', (code) => {
	for (const [, p] of pending) if (p.method !== 'Browser.close') return fail('chromium exited with ' + code);
});

inp.on('data', (d) => {
	rbuf = Buffer.concat([rbuf, d]);
	let z;
	while ((z = rbuf.indexOf(0)) >= 0) {
		const msg = JSON.parse(rbuf.subarray(0, z).toString('utf8'));
		rbuf = rbuf.subarray(z + 1);
		if (msg.id !== undefined && pending.has(msg.id)) {
			const p = pending.get(msg.id);
			pending.delete(msg.id);
			if (msg.error) p.reject(new Error(p.method + ': ' + msg.error.message));
			else p.resolve(msg.result);
		} else if (msg.method) {
			for (const l of listeners.slice()) l(msg);
		}
	}
});

function send(method, params, sessionId) {
	const id = nextId++;
	const msg = { id, method, params: params || {} };
	if (sessionId) msg.sessionId = sessionId;
	return new Promise((resolve, reject) => {
		pending.set(id, { resolve, reject, method });
		out.write(JSON.stringify(msg) + '\0');
	});
}

function once(method, sessionId) {
	return new Promise((resolve) => {
		const l = (m) => {
			if (m.method === method && m.sessionId === sessionId) {
				listeners.splice(listeners.indexOf(l), 1);
				resolve(m.params);
			}
		};
		listeners.push(l);
	});
}

// Runs in the page: everything the tests assert on.
const PROBE = `(() => {
	const q = (s) => Array.from(document.querySelectorAll(s));
	return {
		title: document.title,
		h1: (document.querySelector('h1') || {}).textContent || null,
		health: q('.health').map((e) => e.textContent),
		rows: q('tr.endpoint').length,
		keys: q('a.key').map((e) => e.textContent),
		polylines: q('svg polyline').map((e) => ({
			cls: e.getAttribute('class'),
			points: e.points.numberOfItems,
			declared: Number(e.getAttribute('data-points')),
			svg: e.ownerSVGElement.id || e.ownerSVGElement.getAttribute('class'),
		})),
		markers: q('line.mk-start, line.mk-resolve').length,
		band: q('rect.band').length,
		alerts: q('.alert .summary').map((e) => e.textContent),
		insights: q('.alert .insights li').map((e) => e.textContent),
		signals: q('tr.signal').length,
		imgs: document.images.length,
		scripts: document.scripts.length,
		onerror: q('[onerror]').length,
		handlers: q('*').filter((e) => Array.from(e.attributes)
		    .some((a) => /^on/i.test(a.name))).length,
		jsurls: q('[href], [src], [action], [formaction]').filter((e) =>
		    ['href', 'src', 'action', 'formaction'].some((n) =>
		    /^\s*javascript:/i.test(e.getAttribute(n) || ''))).length,
		frames: q('iframe, frame, object, embed').length,
		text: document.body.innerText.slice(0, 20000),
	};
})()`;

async function main() {
	const { targetId } = await send('Target.createTarget', { url: 'about:blank' });
	const { sessionId } = await send('Target.attachToTarget', { targetId, flatten: true });
	const dialogs = [];
	const console = [];
	listeners.push((m) => {
		if (m.sessionId !== sessionId) return;
		if (m.method === 'Page.javascriptDialogOpening') {
			dialogs.push(m.params.message);
			send('Page.handleJavaScriptDialog', { accept: true }, sessionId).catch(() => {});
		} else if (m.method === 'Runtime.consoleAPICalled') {
			console.push(m.params.args.map((a) => a.value).join(' '));
		} else if (m.method === 'Runtime.exceptionThrown') {
			console.push('exception: ' + m.params.exceptionDetails.text);
		}
	});
	await send('Page.enable', {}, sessionId);
	await send('Runtime.enable', {}, sessionId);
	await send('Emulation.setDeviceMetricsOverride',
		{ width, height: 900, deviceScaleFactor: 1, mobile: false }, sessionId);
	for (const url of urls) {
		dialogs.length = 0;
		console.length = 0;
		const loaded = once('Page.loadEventFired', sessionId);
		const nav = await send('Page.navigate', { url }, sessionId);
		if (nav.errorText) throw new Error(url + ': ' + nav.errorText);
		await loaded;
		// Let any timer or error handler from the data run, if one could.
		await new Promise((r) => setTimeout(r, 300));
		const r = await send('Runtime.evaluate',
			{ expression: PROBE, returnByValue: true }, sessionId);
		if (r.exceptionDetails) throw new Error('probe: ' + r.exceptionDetails.text);
		const v = r.result.value;
		v.url = url;
		v.dialogs = dialogs.slice();
		v.console = console.slice();
		process.stdout.write(JSON.stringify(v) + '\n');
	}
	if (shot) {
		const m = await send('Page.getLayoutMetrics', {}, sessionId);
		const h = Math.min(Math.ceil(m.cssContentSize.height), 4000);
		await send('Emulation.setDeviceMetricsOverride',
			{ width, height: h, deviceScaleFactor: 1, mobile: false }, sessionId);
		const { data } = await send('Page.captureScreenshot', { format: 'png' }, sessionId);
		fs.writeFileSync(shot, Buffer.from(data, 'base64'));
	}
	await send('Browser.close').catch(() => {});
}

main().then(() => {
	clearTimeout(timer);
	const done = () => { rmProfile(); process.exit(0); };
	if (child.exitCode !== null) return done();
	child.on('exit', done);
	setTimeout(() => { try { child.kill('SIGKILL'); } catch (e) { /* gone */ } }, 5000);
}, (e) => fail(e.message));
