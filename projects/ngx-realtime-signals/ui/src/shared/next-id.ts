let counter = 0;

/** A document-unique id for aria-controls / aria-labelledby pairs. */
export function nextElementId(prefix: string): string {
  counter += 1;
  return `${prefix}-${counter}`;
}
