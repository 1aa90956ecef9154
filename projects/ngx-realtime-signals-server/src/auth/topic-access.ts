import { type Identity, PUBLISH_SCOPE } from './identity.js';

const USER_PREFIX = 'user:';

/**
 * Who may read a topic: `user:<id>` only the token whose `sub` is `<id>`;
 * every other topic any valid token. `identity` null = auth off: everyone.
 *
 * @example
 * canRead({ sub: 'alice', ... }, 'user:bob'); // false
 */
export function canRead(identity: Identity | null, topic: string): boolean {
  if (identity === null) return true;
  return !topic.startsWith(USER_PREFIX) || topic === USER_PREFIX + identity.sub;
}

/**
 * Who may publish: any valid token to its own `user:<sub>`; anything else
 * (shared topics, chat topics, other users' inboxes) needs the `publish`
 * scope, so a browser's user token cannot inject events into feeds other
 * people read. `identity` null = auth off: everyone.
 *
 * @example
 * canPublish({ sub: 'svc', scopes: new Set(['publish']), ... }, 'user:alice'); // true
 */
export function canPublish(identity: Identity | null, topic: string): boolean {
  if (identity === null) return true;
  return identity.scopes.has(PUBLISH_SCOPE) || topic === USER_PREFIX + identity.sub;
}
