// tests/otel/server.js - a real HTTP server instrumented with the real
// OpenTelemetry JavaScript SDK, exporting its spans over OTLP/HTTP (JSON)
// to ingestd, for tests/t7200.
//
//	node server.js TRACES_URL SERVICE ORDERS PAYS [TOKEN]
//
// Serves on a free loopback port, then calls itself: ORDERS times
// GET /api/orders/<n>?v=1 (answered 200 after about 15 ms) and PAYS times
// POST /api/pay (answered 503 at once).  Each request makes one SERVER
// span (the server side) and one CLIENT span (the caller side); both are
// exported, so ingestd sees client spans it must skip.  Prints one JSON
// object: what the server answered, as the server measured it.
// OTEL_SEMCONV_STABILITY_OPT_IN=http makes the instrumentation write the
// stable attribute names instead of the old ones.
'use strict';

const { NodeTracerProvider } = require('@opentelemetry/sdk-trace-node');
const { BatchSpanProcessor } = require('@opentelemetry/sdk-trace-base');
const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http');
const { resourceFromAttributes } = require('@opentelemetry/resources');
const { registerInstrumentations } = require('@opentelemetry/instrumentation');
const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http');

const [url, service, orders, pays, token] = process.argv.slice(2);
const exporter = new OTLPTraceExporter({
	url,
	headers: token ? { Authorization: `Bearer ${token}` } : {},
});
const provider = new NodeTracerProvider({
	resource: resourceFromAttributes({ 'service.name': service }),
	spanProcessors: [new BatchSpanProcessor(exporter, {
		maxExportBatchSize: 64, scheduledDelayMillis: 200,
	})],
});
provider.register();
registerInstrumentations({ instrumentations: [new HttpInstrumentation()] });

// Required after the instrumentation is registered, so that it is patched.
const http = require('http');

const answered = { count: 0, status: {}, orders_ms: [] };

const server = http.createServer((req, res) => {
	const t0 = process.hrtime.bigint();
	const done = (code) => {
		res.statusCode = code;
		res.end('ok\n');
		answered.count++;
		answered.status[code] = (answered.status[code] || 0) + 1;
		if (code === 200)
			answered.orders_ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
	};
	req.resume();
	req.on('end', () => {
		if (req.method === 'GET' && req.url.startsWith('/api/orders/'))
			setTimeout(() => done(200), 15);
		else if (req.method === 'POST' && req.url === '/api/pay')
			done(503);
		else
			done(404);
	});
});

function call(port, method, path) {
	return new Promise((resolve, reject) => {
		const req = http.request({ host: '127.0.0.1', port, method, path },
		    (res) => { res.resume(); res.on('end', resolve); });
		req.on('error', reject);
		req.end();
	});
}

server.listen(0, '127.0.0.1', async () => {
	const port = server.address().port;
	try {
		for (let i = 0; i < Number(orders); i++)
			await call(port, 'GET', `/api/orders/${1000 + i}?v=1`);
		for (let i = 0; i < Number(pays); i++)
			await call(port, 'POST', '/api/pay');
	} catch (e) {
		console.error(`server.js: ${e.message}`);
		process.exitCode = 1;
	}
	server.close();
	await provider.forceFlush();
	await provider.shutdown();
	console.log(JSON.stringify(answered));
});
