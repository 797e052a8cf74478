import { restartPlan } from './api-cluster';

describe('restartPlan (API_PROCESSES primary)', () => {
  const now = 1_000_000;

  it('replaces a process that had been serving for a while at once, and forgets past failures', () => {
    expect(restartPlan({ listenedAt: now - 60_000, quickDeaths: 3 }, now)).toEqual({
      delayMs: 0,
      quickDeaths: 0,
    });
  });

  it('backs off 1 s, 2 s, 4 s … up to 30 s while replacements die before or soon after listening', () => {
    const delays: number[] = [];
    let quickDeaths = 0;
    for (let i = 0; i < 7; i++) {
      const died = i % 2 === 0 ? { quickDeaths } : { listenedAt: now - 2_000, quickDeaths };
      const plan = restartPlan(died, now);
      delays.push(plan.delayMs);
      quickDeaths = plan.quickDeaths;
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
  });
});
