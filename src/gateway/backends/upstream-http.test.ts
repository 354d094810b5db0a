import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { AbortSwitch } from './abort-switch.js';
import { keepAlivePools, sendUpstreamRequest } from './upstream-http.js';

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** A local server answering every request with `handler`; resolves with its base URL. */
async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const get = (url: string) => sendUpstreamRequest(url, { method: 'GET', headers: {}, signal: new AbortController().signal }, keepAlivePools());

describe('sendUpstreamRequest', () => {
  it('reads a body larger than the read-ahead, in order, however slowly it is read', async () => {
    const part = 'x'.repeat(16 * 1024 - 1);
    const parts = Array.from({ length: 20 }, (_, i) => `${part}${i % 10}`);
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      for (const p of parts) res.write(p);
      res.end();
    });
    const res = await get(`${url}/big`);
    expect(res.ok).toBe(true);
    let text = '';
    for (let r = await res.read(); !r.done; r = await res.read()) {
      text += r.value;
      await new Promise((resolve) => setImmediate(resolve)); // a slow consumer: the response pauses meanwhile
    }
    expect(text).toBe(parts.join(''));
  });

  it('rejects a read when the upstream cuts the response before its end', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '100' });
      res.write('partial', () => res.destroy());
    });
    const res = await get(`${url}/cut`);
    await expect(res.text()).rejects.toThrow();
  });
});

describe('aborting an exchange', () => {
  it('aborts an exchange before its headers (rejects) and after them (the read fails)', async () => {
    const url = await serve((req, res) => {
      if (req.url === '/slow-headers') return; // never answers
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('first part');
    });
    const before = new AbortSwitch();
    const pending = sendUpstreamRequest(`${url}/slow-headers`, { method: 'GET', headers: {}, signal: before }, keepAlivePools());
    setTimeout(() => before.abort(), 10);
    await expect(pending).rejects.toThrow();
    const after = new AbortSwitch();
    const res = await sendUpstreamRequest(`${url}/streaming`, { method: 'GET', headers: {}, signal: after }, keepAlivePools());
    expect(await res.read()).toEqual({ done: false, value: 'first part' });
    after.abort();
    await expect(res.read()).rejects.toThrow();
  });
});
