import type { LogLevelName } from '@app/contracts';
import { isLevel } from '../levels';
import { DEFAULT_RANGE, isValidBound, type TimeRange } from '../time';

/** What the search page shows, kept in the address so a search can be shared and bookmarked. */
export interface SearchState {
  q: string;
  range: TimeRange;
  levels: LogLevelName[];
  sources: string[];
}

export function readSearchState(params: URLSearchParams): SearchState {
  const from = params.get('from');
  const to = params.get('to');
  const valid = from !== null && to !== null && isValidBound(from) && isValidBound(to);
  return {
    q: params.get('q') ?? '',
    range: valid ? { from, to } : DEFAULT_RANGE,
    levels: params.getAll('level').filter(isLevel),
    sources: params.getAll('source').filter((s) => s !== ''),
  };
}

export function writeSearchState(state: SearchState): URLSearchParams {
  const params = new URLSearchParams();
  if (state.q.trim() !== '') params.set('q', state.q.trim());
  params.set('from', state.range.from);
  params.set('to', state.range.to);
  for (const level of state.levels) params.append('level', level);
  for (const source of state.sources) params.append('source', source);
  return params;
}
