/**
 * The floor under any Node.js gateway on this machine, for bench:gateway: a
 * bare node:http reverse proxy that forwards each request to the upstream and
 * pipes the response back, over a keep-alive agent, and does nothing else (no
 * auth, no parsing, no metering, no ledger). What it adds to the direct
 * latency is the extra loopback hop and Node's own HTTP handling; a gateway's
 * added latency above it is the gateway's own work.
 *
 * Run: node bench/pass-through-proxy.mjs UPSTREAM_PORT   (prints "listening on PORT")
 */
import { Agent, createServer, request } from 'node:http';
import process from 'node:process';

const upstreamPort = Number(process.argv[2]);
if (!Number.isInteger(upstreamPort) || upstreamPort <= 0) {
  process.stderr.write('usage: node bench/pass-through-proxy.mjs UPSTREAM_PORT\n');
  process.exit(2);
}
const agent = new Agent({ keepAlive: true, maxSockets: 2048, scheduling: 'lifo' });

const server = createServer((req, res) => {
  const headers = { ...req.headers };
  delete headers.connection;
  const up = request({ agent, hostname: '127.0.0.1', port: upstreamPort, method: req.method, path: req.url, headers }, (ur) => {
    res.writeHead(ur.statusCode ?? 502, ur.headers);
    ur.pipe(res);
  });
  up.on('error', () => {
    if (!res.headersSent) res.writeHead(502);
    res.end();
  });
  req.pipe(up);
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`listening on ${server.address().port}\n`));
process.on('SIGTERM', () => process.exit(0));
