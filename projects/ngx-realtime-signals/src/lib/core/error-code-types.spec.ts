/**
 * @jest-environment node
 */
import { typeErrors } from '../integration/type-errors';
import { REALTIME_ERROR_CODES } from './errors';

const codes = REALTIME_ERROR_CODES.map((code) => `'${code}'`);

describe('RealtimeErrorCode (types)', () => {
  it('is a finite union: a Record over it and an exhaustive switch compile', () => {
    const errors = typeErrors(`
      import type { RealtimeError, RealtimeErrorCode } from 'ngx-realtime-signals';
      const text: Record<RealtimeErrorCode, string> = { ${codes.map((c) => `${c}: ''`).join(', ')} };
      export function label(error: RealtimeError): string {
        switch (error.code) {
          ${codes.map((c) => `case ${c}:`).join(' ')}
            return text[error.code];
          default: {
            const unreachable: never = error.code;
            return unreachable;
          }
        }
      }
    `);
    expect(errors).toEqual([]);
  });

  it('rejects codes outside the vocabulary, such as a per-status HTTP code', () => {
    const errors = typeErrors(`
      import type { RealtimeError, RealtimeErrorCode } from 'ngx-realtime-signals';
      export const old: RealtimeErrorCode = 'http_401';
      export const made: RealtimeError = { code: 'unauthorized', message: 'no', retryable: false };
      export const fine: RealtimeError = { code: 'http_error', message: 'no', status: 401, serverCode: 'unauthorized', retryable: false };
    `);
    expect(errors).toEqual([
      expect.stringMatching(/^2: Type '"http_401"' is not assignable to type 'RealtimeErrorCode'/),
      expect.stringMatching(/^3: Type '"unauthorized"' is not assignable to type 'RealtimeErrorCode'/),
    ]);
  });
});
