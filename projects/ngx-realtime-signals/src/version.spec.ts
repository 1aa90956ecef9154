import { VERSION } from 'ngx-realtime-signals';

describe('public api', () => {
  it('exposes the package version', () => {
    expect(VERSION).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
