import { parseQuery } from './query';
import { findableThroughTextIndex, searchSlices, type SearchSlice } from './search-slices';

const H = 3_600_000;
const T0 = Date.UTC(2026, 10, 21);
const at = (hours: number) => T0 + hours * H;
/** Slices as [from, to, indexed] in hours since T0. */
const hours = (slices: SearchSlice[]) =>
  slices.map((slice) => [(slice.from - T0) / H, (slice.to - T0) / H, slice.indexed]);

describe('searchSlices', () => {
  // Partitions from hour -48 to 48; hours 0–20 indexed; 20–21 (just closed, index not built yet)
  // and 21–22 (being written) not.
  const layout = { indexed: [{ from: at(0), to: at(20) }], earliest: at(-48), latest: at(48) };

  it('doubles slices from the newest end, never across the border of the text index', () => {
    const slices = searchSlices({ from: at(-4), to: at(21.5) }, layout, true);
    expect(hours(slices)).toEqual([
      [20.5, 21.5, false],
      [20, 20.5, false],
      [16, 20, true],
      [8, 16, true],
      [0, 8, true],
      [-4, 0, false],
    ]);
  });

  it('covers the range exactly, without gaps or overlaps, in both directions', () => {
    const ranges = [
      { from: at(1), to: at(3) },
      { from: at(5.5), to: at(40) },
    ];
    for (const newestFirst of [true, false]) {
      const slices = searchSlices(
        { from: at(0.25), to: at(41) },
        { indexed: ranges, earliest: at(-48), latest: at(48) },
        newestFirst,
      );
      const sorted = newestFirst ? [...slices].reverse() : slices;
      expect(sorted[0].from).toBe(at(0.25));
      expect(sorted[sorted.length - 1].to).toBe(at(41));
      for (let i = 1; i < sorted.length; i++) expect(sorted[i].from).toBe(sorted[i - 1].to);
      for (const slice of slices) {
        const inside = ranges.some((range) => range.from <= slice.from && slice.to <= range.to);
        expect(slice.indexed).toBe(inside);
      }
    }
  });

  it('reads oldest first for newer pages, doubling from the start', () => {
    expect(hours(searchSlices({ from: at(2), to: at(21) }, layout, false))).toEqual([
      [2, 3, true],
      [3, 5, true],
      [5, 9, true],
      [9, 17, true],
      [17, 20, true],
      [20, 21, false],
    ]);
  });

  it('ends with one open slice where no partition is left to tell apart', () => {
    const slices = searchSlices({ from: -Infinity, to: at(-40) }, layout, true);
    expect(hours(slices)).toEqual([
      [-41, -40, false],
      [-43, -41, false],
      [-47, -43, false],
      [-Infinity, -47, false],
    ]);
    const up = searchSlices({ from: at(30), to: Infinity }, layout, false);
    expect(hours(up)).toEqual([
      [30, 31, false],
      [31, 33, false],
      [33, 37, false],
      [37, 45, false],
      [45, Infinity, false],
    ]);
    expect(
      searchSlices(
        { from: -Infinity, to: Infinity },
        { indexed: [], earliest: null, latest: null },
        true,
      ),
    ).toEqual([{ from: -Infinity, to: Infinity, indexed: false }]);
  });
});

describe('findableThroughTextIndex', () => {
  it.each([
    ['timeout', true],
    ['"payment declined"', true],
    ['time*', true],
    ['timeout level:error', true],
    ['timeout OR declined', true],
    ['timeout OR level:error', false],
    ['-timeout', false],
    ['*fail?d*', false],
    ['level:error', false],
    ['(timeout OR declined) host:web-1', true],
  ])('%s → %s', (query, expected) => {
    expect(findableThroughTextIndex(parseQuery(query))).toBe(expected);
  });
});
