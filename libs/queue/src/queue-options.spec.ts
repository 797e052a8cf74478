import { retryDelayMs } from './queue-options';

describe('retryDelayMs', () => {
  it('grows exponentially and stays within the jitter band', () => {
    expect(retryDelayMs(1, () => 0)).toBe(250);
    expect(retryDelayMs(1, () => 1)).toBe(500);
    expect(retryDelayMs(3, () => 1)).toBe(2000);
  });

  it('is capped at 30 seconds', () => {
    expect(retryDelayMs(50, () => 1)).toBe(30_000);
    expect(retryDelayMs(50, () => 0)).toBe(15_000);
  });
});
