import type { QueryNode } from './query';

/** A time range [from, to) in ms; either end may be infinite. */
export interface TimeSpan {
  from: number;
  to: number;
}

/** A part of a search's time range, read in one statement. */
export interface SearchSlice extends TimeSpan {
  /** Every line in it sits in a partition with a full-text index. */
  indexed: boolean;
}

const HOUR_MS = 3_600_000;

/** Where the partitions are (PartitionManager.searchLayout). */
export interface PartitionLayout {
  /** Time ranges whose partitions all have a full-text index, sorted, disjoint. */
  indexed: TimeSpan[];
  /** Start of the oldest and end of the newest day partition: beyond, only logs_default. */
  earliest: number | null;
  latest: number | null;
}

/**
 * Cuts a search's range into slices, in the order the results are read (newest first, or oldest
 * first for `direction=newer`): 1 hour, then 2, 4, 8… hours, never across a border between
 * partitions with and without a full-text index, the last one open when the range is. The search
 * reads slice by slice and stops as soon as the page is full, so each statement is planned over a
 * few partitions only (a statement over all hour partitions of a week spends tens of milliseconds
 * in the planner alone), a page of common lines comes from the first slice, and a rare word costs
 * a few index lookups.
 */
export function searchSlices(
  span: TimeSpan,
  layout: PartitionLayout,
  newestFirst: boolean,
): SearchSlice[] {
  if (newestFirst) return slicesNewestFirst(span, layout.indexed, layout.earliest ?? Infinity);
  // Oldest first is newest first on the mirrored time line.
  const mirror = (range: TimeSpan): TimeSpan => ({ from: -range.to, to: -range.from });
  return slicesNewestFirst(
    mirror(span),
    layout.indexed.map(mirror).reverse(),
    -(layout.latest ?? -Infinity),
  ).map((slice) => ({ ...mirror(slice), indexed: slice.indexed }));
}

/** `indexed` is sorted and disjoint; below `floor` there are no partitions to tell apart. */
function slicesNewestFirst(span: TimeSpan, indexed: TimeSpan[], floor: number): SearchSlice[] {
  const slices: SearchSlice[] = [];
  let position = span.to;
  let hours = 1;
  while (position > span.from) {
    const covering = indexed.find((range) => range.from < position && position <= range.to);
    // Where the stretch with the same kind of partitions (indexed or not) begins.
    const stretch = covering
      ? covering.from
      : Math.max(-Infinity, ...indexed.filter((range) => range.to < position).map((r) => r.to));
    const sized = position - hours * HOUR_MS;
    const from = Math.max(
      span.from,
      stretch,
      Number.isFinite(sized) && sized >= floor ? sized : -Infinity,
    );
    slices.push({ from, to: position, indexed: covering !== undefined });
    hours *= 2;
    position = from;
  }
  return slices;
}

/**
 * Whether the full-text index alone can find every line a query matches (the other conditions
 * then only filter what it found): a word or phrase, an AND with such a part, an OR of such parts.
 */
export function findableThroughTextIndex(node: QueryNode | null | undefined): boolean {
  if (!node) return false;
  switch (node.type) {
    case 'word':
    case 'phrase':
      return true;
    case 'and':
      return node.children.some(findableThroughTextIndex);
    case 'or':
      return node.children.every(findableThroughTextIndex);
    default:
      return false;
  }
}
