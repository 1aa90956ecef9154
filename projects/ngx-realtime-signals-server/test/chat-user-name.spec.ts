import { isValidUserName, userNameFromUrl } from '../src/transports/chat/user-name';

describe('chat user names', () => {
  it('accepts 1..32 letters, digits, spaces and _ . -', () => {
    for (const name of ['a', 'Ada Lovelace', 'bob_2.0-x', 'x'.repeat(32)]) expect(isValidUserName(name)).toBe(true);
  });

  it('refuses other characters, leading or trailing spaces and long names', () => {
    for (const name of ['', ' ', ' ada', 'ada ', 'x'.repeat(33), 'a<b>', 'é', 'a\nb', 'a/b']) {
      expect(isValidUserName(name)).toBe(false);
    }
  });

  it('reads the name query parameter and generates a guest name when it is absent or empty', () => {
    expect(userNameFromUrl('/api/chat?name=Ada%20L')).toEqual({ ok: true, user: 'Ada L' });
    expect(userNameFromUrl('/api/chat?name=%3Cscript%3E')).toEqual({ ok: false });
    const guest = userNameFromUrl('/api/chat');
    const other = userNameFromUrl('/api/chat?name=');
    expect(guest.ok && guest.user).toMatch(/^guest-[0-9a-f]{8}$/);
    expect(other.ok && other.user).toMatch(/^guest-[0-9a-f]{8}$/);
    expect(guest).not.toEqual(other);
  });
});
