/**
 * @jest-environment node
 */
import { typeErrors } from '../integration/type-errors';

describe('NotificationService.connect options (types)', () => {
  it('holds a parse function to the declared data type and allows text only where T admits a string', () => {
    const errors = typeErrors(`
      import type { NotificationService } from 'ngx-realtime-signals';
      declare const orders: NotificationService<{ text: string }>;
      declare const lines: NotificationService<string>;
      declare const anything: NotificationService;
      orders.connect('o', { parse: (m) => ({ text: m.data }), url: '/s', heartbeatMs: 0 });
      orders.connect('o', { parse: 'json' });
      lines.connect('l', { parse: 'text' });
      anything.connect('a', { parse: 'text' });
      anything.connect('a', { parse: (m) => m.event.length });
      orders.connect('o', { parse: (m) => m.data.length });
      orders.connect('o', { parse: 'text' });
    `);
    // only the last two calls are wrong (lines 10 and 11 of the snippet, counted from 0)
    expect(errors.map((e) => Number(e.split(':')[0]))).toEqual([10, 11]);
    expect(errors.every((e) => e.includes('is not assignable'))).toBe(true);
  });
});
