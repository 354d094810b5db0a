/**
 * @module The dashboard's front end: the files esbuild wrote to dist/web
 * (index.html, app.js, app.css, assets), served with their content type, an
 * ETag and `Cache-Control: no-cache` (the names carry no content hash, so a
 * browser revalidates: a 304 when unchanged). Paths never leave the folder.
 * Without a build, `/` answers a short page that says how to make one.
 */
import { readFile, stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import type { RouteCall } from '../gateway/server/gateway-context.js';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** The built front end beside the compiled server: dist/web. */
export const DEFAULT_WEB_DIR = new URL('../web/', import.meta.url);

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>tokenfleet dashboard</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; line-height: 1.5">
<h1>The dashboard's front end was not built</h1>
<p>The gateway and the dashboard API (<code>/api/live</code>, <code>/api/plan</code>, ...) work; the page itself is missing from <code>dist/web</code>.</p>
<p>Build it with <code>npm run build</code> (TypeScript, then <code>node scripts/build-web.mjs</code>), then reload.</p>
</body></html>
`;

/** The file under `root` for a URL path, or undefined when the path is malformed or escapes `root`. */
export function resolveStaticPath(root: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
  const relative = decoded === '/' ? 'index.html' : decoded.replace(/^\/+/, '');
  const base = resolve(root);
  const file = resolve(base, relative);
  return file.startsWith(base + sep) ? file : undefined;
}

/** A handler for GET/HEAD of the files under `webDir`; resolves false for anything else (the gateway then answers 404). */
export function staticFiles(webDir: string): (call: RouteCall, path: string) => Promise<boolean> {
  return async (call, path) => {
    const method = call.req.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD') return false;
    const file = resolveStaticPath(webDir, path);
    if (file === undefined) return false;
    const info = await stat(file).catch(() => undefined);
    const { res } = call;
    if (info === undefined || !info.isFile()) {
      if (path !== '/' && path !== '/index.html') return false;
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(NOT_BUILT_PAGE), 'cache-control': 'no-store' });
      res.end(method === 'HEAD' ? undefined : NOT_BUILT_PAGE);
      return true;
    }
    const etag = `W/"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`;
    const headers = {
      'content-type': CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
      'cache-control': 'no-cache',
      etag,
      'x-content-type-options': 'nosniff',
    };
    if (call.req.headers['if-none-match'] === etag) {
      res.writeHead(304, headers);
      res.end();
      return true;
    }
    const body = await readFile(file);
    res.writeHead(200, { ...headers, 'content-length': body.length });
    res.end(method === 'HEAD' ? undefined : body);
    return true;
  };
}
