/** A single-quoted TypeScript string literal, as Angular's style guide writes them. */
export function quote(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
