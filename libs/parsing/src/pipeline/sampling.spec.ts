import { hashLine, keepsSample } from './sampling';

describe('sampling', () => {
  const lines = Array.from({ length: 20_000 }, (_, i) => `GET /item/${i} 200`);

  it('is deterministic for a line', () => {
    expect(hashLine('same line')).toBe(hashLine('same line'));
    expect(keepsSample('same line', 7, 0)).toBe(keepsSample('same line', 7, 0));
  });

  it('keeps about one in N of varied lines', () => {
    const kept = lines.filter((line) => keepsSample(line, 10, 0)).length;
    expect(kept).toBeGreaterThan(1_800);
    expect(kept).toBeLessThan(2_200);
  });

  it('keeps every line at one in one', () => {
    expect(lines.every((line) => keepsSample(line, 1, 0))).toBe(true);
  });

  it('two sample steps (different salts) compound instead of keeping the same lines', () => {
    const kept = lines.filter((line) => keepsSample(line, 2, 0) && keepsSample(line, 2, 1)).length;
    expect(kept).toBeGreaterThan(4_500);
    expect(kept).toBeLessThan(5_500);
  });
});
