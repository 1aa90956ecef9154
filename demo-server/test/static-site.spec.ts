import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { rawRequest } from './support/http-client';
import { startServer, type StartedServer } from './support/server';

describe('serving the demo app', () => {
  let dir: string;
  let started: StartedServer;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'demo-static-'));
    fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>demo</title><app-root></app-root>');
    fs.writeFileSync(path.join(dir, 'main.js'), 'console.log("demo")');
    started = await startServer({ STATIC_DIR: dir });
  });
  afterAll(async () => {
    await started.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('serves index.html at / and files by name', async () => {
    const index = await rawRequest(started.url, { path: '/', headers: { accept: 'text/html' } });
    expect(index.status).toBe(200);
    expect(index.text).toContain('<app-root>');
    const script = await rawRequest(started.url, { path: '/main.js' });
    expect(script.status).toBe(200);
    expect(script.headers['content-type']).toMatch(/javascript/);
  });

  it('falls back to index.html for client-side routes', async () => {
    const deep = await rawRequest(started.url, { path: '/chat/lobby', headers: { accept: 'text/html' } });
    expect(deep.status).toBe(200);
    expect(deep.text).toContain('<app-root>');
  });

  it.each(['/%2e%2e/%2e%2e/%2e%2e/etc/passwd', '/..%2f..%2f..%2fetc%2fpasswd', '/%2e%2e/%2e%2e/%2e%2e/etc/os-release.txt'])(
    'never serves a file outside the folder for %s',
    async (path) => {
      const res = await rawRequest(started.url, { path });
      expect(res.text).not.toMatch(/root:|VERSION_ID/);
      if (res.status === 200) expect(res.text).toContain('<app-root>');
      else expect([403, 404]).toContain(res.status);
    },
  );

  it('answers a missing asset or API route with 404 JSON, not the app', async () => {
    const asset = await rawRequest(started.url, { path: '/missing.js' });
    expect(asset.status).toBe(404);
    expect(asset.json).toEqual({ error: { code: 'not_found', message: expect.any(String) } });
    const api = await rawRequest(started.url, { path: '/api/unknown', headers: { accept: 'text/html' } });
    expect(api.status).toBe(404);
    expect(api.json.error.code).toBe('not_found');
  });
});
