/*
 * Public API of ngx-realtime-signals. Every exported symbol is named here.
 */
export const VERSION = '0.1.0';
