import { parseMultirange, toMultirange } from './file-offsets';

describe('file range helpers', () => {
  it('reads int8multirange text', () => {
    expect(parseMultirange('{}')).toEqual([]);
    expect(parseMultirange('{[0,2500),[3000,4000)}')).toEqual([
      [0, 2500],
      [3000, 4000],
    ]);
  });

  it('merges adjacent ranges of consecutive lines into one', () => {
    expect(
      toMultirange([
        [20, 30],
        [0, 10],
        [10, 20],
        [40, 50],
      ]),
    ).toBe('{[0,30),[40,50)}');
    expect(toMultirange([])).toBe('{}');
  });
});
