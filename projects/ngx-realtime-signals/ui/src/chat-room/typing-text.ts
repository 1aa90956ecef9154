/**
 * The sentence under a chat that says who is typing: "" for nobody,
 * "ann is typing…", "ann and bo are typing…", "ann, bo and 2 others are typing…".
 */
export function typingText(users: readonly string[]): string {
  if (users.length === 0) return '';
  if (users.length === 1) return `${users[0]} is typing…`;
  if (users.length === 2) return `${users[0]} and ${users[1]} are typing…`;
  const others = users.length - 2;
  return `${users[0]}, ${users[1]} and ${others} ${others === 1 ? 'other' : 'others'} are typing…`;
}
