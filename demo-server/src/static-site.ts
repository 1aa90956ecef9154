import fs from 'node:fs';
import path from 'node:path';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';

const PLACEHOLDER_HTML = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>demo-server</title></head>
<body>
<h1>demo-server is running</h1>
<p>The demo app is not built yet. Run <code>npm start</code> (or <code>npm run build</code>) to build it,
or point <code>STATIC_DIR</code> at a built app.</p>
<ul>
<li><a href="/api/health">/api/health</a></li>
<li><a href="/metrics">/metrics</a></li>
</ul>
</body>
</html>
`;

/**
 * Serves the built demo app at `/` with a single-page-app fallback (any GET
 * that wants HTML and is not an API route gets index.html, so deep links
 * work). Without a build it serves a short placeholder page instead.
 *
 * @example
 * app.use(staticSite(config.staticDir));
 */
export function staticSite(dir: string): Router {
  const router = express.Router();
  const index = path.join(dir, 'index.html');
  const built = fs.existsSync(index);
  if (built) router.use(express.static(dir, { index: 'index.html', fallthrough: true }));
  router.use((req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    // A missing asset (/main.js) is a 404, not the app's HTML.
    if (isApiPath(req.path) || path.extname(req.path) !== '' || !req.accepts('html')) return next();
    if (built) return res.sendFile(index);
    res.type('html').send(PLACEHOLDER_HTML);
  });
  return router;
}

function isApiPath(p: string): boolean {
  return p === '/api' || p.startsWith('/api/') || p === '/metrics';
}
