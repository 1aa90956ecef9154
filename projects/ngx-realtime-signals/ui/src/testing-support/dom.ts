/** Small DOM helpers for the component specs. */

export function press(target: Element, key: string, init: KeyboardEventInit = {}): KeyboardEvent {
  const keyboardEvent = new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true, ...init });
  target.dispatchEvent(keyboardEvent);
  return keyboardEvent;
}

export function query<T extends Element = HTMLElement>(root: Element, selector: string): T {
  const found = root.querySelector<T>(selector);
  if (!found) throw new Error(`No element matches ${selector}`);
  return found;
}

export function texts(root: Element, selector: string): string[] {
  return Array.from(root.querySelectorAll(selector), (element) => (element.textContent ?? '').trim());
}

/** The hostile payload every spec renders: it must show up as text and create no element. */
export const HOSTILE_TEXT = '<img src=x onerror=alert(1)>';
