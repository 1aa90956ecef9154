let counter = 0;

/**
 * A fresh id for an outgoing message: `crypto.randomUUID()` where the platform
 * has it (secure contexts, Node 19+), else a time + counter + random string
 * that is unique enough for one user's sends (the server scopes it by room).
 */
export function createClientId(): string {
  const c = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  if (typeof c?.randomUUID === 'function') return c.randomUUID();
  counter = (counter + 1) % 1_000_000;
  return `${Date.now().toString(36)}-${counter.toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
}
