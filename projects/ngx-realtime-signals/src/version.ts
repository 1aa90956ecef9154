/**
 * The version of ngx-realtime-signals in use. `npm run build:lib` writes the
 * package.json version into the built package in place of the placeholder, so
 * the number is never kept by hand.
 *
 * @example
 * ```ts
 * console.info(`ngx-realtime-signals ${VERSION}`);
 * ```
 */
export const VERSION: string = '0.0.0-PLACEHOLDER';
