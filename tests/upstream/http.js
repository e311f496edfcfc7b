// tests/upstream/http.js - a small HTTP upstream with known delays and a
// known status mix, for the tests that put a real nginx or haproxy in
// front of it (t1110, t1120).
//
//	node http.js PORT FIGURES
//
// Routes (any other path is 404 after no delay):
//	/api/fast	200 after  5 ms
//	/api/slow	200 after 50 ms
//	/api/err	503 after 20 ms
//	/api/orders/N	200 after 10 ms
// It prints "ready" once listening.  On SIGTERM it writes FIGURES, one
// line per request it answered: "PATH STATUS MS", MS its own time from
// the request's arrival to the response's end, and exits.
'use strict';
const http = require('http');
const fs = require('fs');

const [port, figures] = process.argv.slice(2);
const seen = [];

function route(path) {
	if (path === '/api/fast') return [200, 5];
	if (path === '/api/slow') return [200, 50];
	if (path === '/api/err') return [503, 20];
	if (/^\/api\/orders\/[0-9]+$/.test(path)) return [200, 10];
	return [404, 0];
}

const server = http.createServer((req, res) => {
	const t0 = process.hrtime.bigint();
	const path = req.url.split('?')[0];
	const [status, delay] = route(path);
	req.resume();
	setTimeout(() => {
		const body = status === 200 ? 'ok ' + path + '\n' : 'status ' + status + '\n';
		res.writeHead(status, { 'Content-Type': 'text/plain',
		    'Content-Length': Buffer.byteLength(body) });
		res.end(body, () => {
			const ms = Number(process.hrtime.bigint() - t0) / 1e6;
			seen.push(path + ' ' + status + ' ' + ms.toFixed(3));
		});
	}, delay);
});
server.keepAliveTimeout = 30000;
server.listen(Number(port), '127.0.0.1', () => console.log('ready'));
server.on('error', (e) => { console.error(e.message); process.exit(1); });
process.on('SIGTERM', () => {
	fs.writeFileSync(figures, seen.length ? seen.join('\n') + '\n' : '');
	process.exit(0);
});
