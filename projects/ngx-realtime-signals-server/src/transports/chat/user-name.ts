import { randomBytes } from 'node:crypto';
import { searchParamsOf } from '../../request-target.js';

/** Letters, digits, space, `_ . -`; 1..32 characters, not starting or ending with a space. */
const NAME_PATTERN = /^[A-Za-z0-9_.-](?:[A-Za-z0-9 _.-]{0,30}[A-Za-z0-9_.-])?$/;

export function isValidUserName(name: string): boolean {
  return NAME_PATTERN.test(name);
}

/** A name for a connection that did not choose one; random so two guests never collide in a room. */
export function generateGuestName(): string {
  return `guest-${randomBytes(4).toString('hex')}`;
}

export type UserNameResult = { ok: true; user: string } | { ok: false };

/** Reads `?name=` from an upgrade request URL; absent or empty gives a guest name. */
export function userNameFromUrl(url: string | undefined): UserNameResult {
  const name = searchParamsOf(url).get('name');
  if (name === null || name === '') return { ok: true, user: generateGuestName() };
  return isValidUserName(name) ? { ok: true, user: name } : { ok: false };
}
