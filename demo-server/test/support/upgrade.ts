import http from 'node:http';

export type UpgradeOutcome =
  | { kind: 'switched'; status: 101; socket: import('node:net').Socket }
  | { kind: 'refused'; status: number; headers: http.IncomingHttpHeaders; json: any };

/** A raw WebSocket handshake: tells a real 101 apart from an HTTP refusal sent before it. */
export function tryUpgrade(baseUrl: string, path: string, headers: http.OutgoingHttpHeaders = {}): Promise<UpgradeOutcome> {
  const base = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: base.hostname,
      port: base.port,
      path,
      agent: false,
      headers: {
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-key': Buffer.from('0123456789abcdef').toString('base64'),
        'sec-websocket-version': '13',
        ...headers,
      },
    });
    req.on('upgrade', (res, socket) => resolve({ kind: 'switched', status: 101, socket }));
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ kind: 'refused', status: res.statusCode ?? 0, headers: res.headers, json: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end();
  });
}
