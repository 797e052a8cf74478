import { LOG_LEVELS, type ExportFormat, type LogRecord } from '@app/contracts';
import { keepPreviousData, useInfiniteQuery, useMutation, useQuery } from '@tanstack/react-query';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { useSearchParams } from 'react-router-dom';
import { ApiError } from '../api/client';
import { exportLogs, getAggregate, getHistogram, searchLogs, type LogQuery } from '../api/logs';
import { LevelHistogram } from '../components/charts/LevelHistogram';
import { HighlightedText } from '../components/HighlightedText';
import { LevelBadge } from '../components/LevelBadge';
import { LogDetail } from '../components/LogDetail';
import { QueryInput, type QueryProblem } from '../components/QueryInput';
import { InlineError } from '../components/States';
import { TimeRangePicker } from '../components/TimeRangePicker';
import { formatLocalTime } from '../format';
import { isLevel } from '../levels';
import { Facet } from '../search/Facets';
import { SavedSearchesDialog } from '../search/SavedSearchesDialog';
import { readSearchState, writeSearchState, type SearchState } from '../search/search-params';
import { resolveRange } from '../time';

const ROW_HEIGHT = 26;

const levelRank = (name: string) => (isLevel(name) ? LOG_LEVELS.indexOf(name) : LOG_LEVELS.length);

function problemOf(error: unknown): QueryProblem | null {
  if (error instanceof ApiError && error.status === 400) {
    return { message: error.message, position: error.position };
  }
  return null;
}

export function SearchPage() {
  const [params, setParams] = useSearchParams();
  const paramsKey = params.toString();
  const state = useMemo(() => readSearchState(new URLSearchParams(paramsKey)), [paramsKey]);
  const [draft, setDraft] = useState(state.q);
  const [refreshTick, setRefreshTick] = useState(0);
  const [selected, setSelected] = useState<LogRecord | null>(null);
  const [active, setActive] = useState<number | null>(null);
  const [savedOpen, setSavedOpen] = useState(false);
  const scroller = useRef<HTMLDivElement>(null);

  // The address changed (back/forward, a saved search): show its query in the box.
  useEffect(() => setDraft(state.q), [state.q]);

  const update = useCallback(
    (next: Partial<SearchState>) => {
      setParams(writeSearchState({ ...state, ...next }));
      setRefreshTick((t) => t + 1);
    },
    [setParams, state],
  );

  // Relative ranges are resolved once per search, so the chart, facets and rows agree.
  const resolved = useMemo(
    () => resolveRange(state.range),
    [state.range.from, state.range.to, refreshTick],
  );
  const query: LogQuery = useMemo(
    () => ({
      q: state.q,
      from: resolved.from,
      to: resolved.to,
      levels: state.levels,
      sources: state.sources,
    }),
    [state.q, state.levels, state.sources, resolved],
  );

  const results = useInfiniteQuery({
    queryKey: ['search', query],
    queryFn: ({ pageParam, signal }) => searchLogs(query, pageParam, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.nextCursor,
    placeholderData: keepPreviousData,
  });
  // The rows come first: the chart and the facets ask once the rows are in, so on a busy
  // database they do not compete with the query the user is waiting for.
  const rowsSettled = !results.isFetching || results.isFetchingNextPage;
  const histogram = useQuery({
    queryKey: ['histogram', query],
    queryFn: ({ signal }) => getHistogram(query, {}, signal),
    placeholderData: keepPreviousData,
    enabled: rowsSettled,
  });
  const levelFacet = useQuery({
    queryKey: ['facet-level', { ...query, levels: [] }],
    queryFn: ({ signal }) =>
      getAggregate({ ...query, levels: [] }, { groupBy: 'level', limit: 10 }, signal),
    placeholderData: keepPreviousData,
    enabled: rowsSettled,
  });
  const sourceFacet = useQuery({
    queryKey: ['facet-source', { ...query, sources: [] }],
    queryFn: ({ signal }) =>
      getAggregate({ ...query, sources: [] }, { groupBy: 'source', limit: 15 }, signal),
    placeholderData: keepPreviousData,
    enabled: rowsSettled,
  });
  const exporter = useMutation({
    mutationFn: (format: ExportFormat) => exportLogs(query, format),
  });

  const items = useMemo(() => results.data?.pages.flatMap((p) => p.items) ?? [], [results.data]);

  const virtualizer = useVirtualizer({
    count: items.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 20,
    // Fixed-size rows: no getItemKey (see LiveTailPage); React keys are the log ids.
  });
  const virtualItems = virtualizer.getVirtualItems();
  const lastIndex = virtualItems.length > 0 ? virtualItems[virtualItems.length - 1].index : -1;

  // Infinite scroll: fetch the next (older) page when the end comes into view.
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = results;
  useEffect(() => {
    if (lastIndex >= items.length - 30 && hasNextPage && !isFetchingNextPage) {
      void fetchNextPage();
    }
  }, [lastIndex, items.length, hasNextPage, isFetchingNextPage, fetchNextPage]);

  // A new search starts at the top.
  useEffect(() => {
    scroller.current?.scrollTo({ top: 0 });
    setActive(null);
  }, [query]);

  function submit() {
    update({ q: draft });
  }

  function toggle(list: string[], key: string, on: boolean): string[] {
    return on ? [...new Set([...list, key])] : list.filter((k) => k !== key);
  }

  function onRowsKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    if (items.length === 0) return;
    let next = active ?? -1;
    if (event.key === 'ArrowDown') next = Math.min(items.length - 1, next + 1);
    else if (event.key === 'ArrowUp') next = Math.max(0, next - 1);
    else if (event.key === 'PageDown') next = Math.min(items.length - 1, next + 20);
    else if (event.key === 'PageUp') next = Math.max(0, next - 20);
    else if ((event.key === 'Enter' || event.key === ' ') && active !== null) {
      event.preventDefault();
      setSelected(items[active]);
      return;
    } else return;
    event.preventDefault();
    setActive(next);
    virtualizer.scrollToIndex(next, { align: 'auto' });
  }

  const closeDetail = useCallback(() => {
    setSelected(null);
    scroller.current?.focus();
  }, []);

  // One query problem for the whole page (the same 400 comes from every panel).
  const problem =
    problemOf(results.error) ?? problemOf(histogram.error) ?? problemOf(levelFacet.error);
  const otherError = !problem && results.isError ? results.error : null;
  const stale = results.isPlaceholderData;

  return (
    <div className="page page-fill">
      <form
        className="toolbar"
        role="search"
        aria-label="Search logs"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <div className="toolbar-row">
          <div className="grow">
            <QueryInput
              label="Search query"
              value={draft}
              onChange={setDraft}
              onSubmit={submit}
              problem={problem}
              testId="search-query"
              autoFocus
            />
          </div>
          <TimeRangePicker value={state.range} onChange={(range) => update({ range })} />
          <button type="submit" className="button primary" data-testid="search-submit">
            Search
          </button>
          <button
            type="button"
            className="button"
            title="Run again with relative times moved to now"
            onClick={() => setRefreshTick((t) => t + 1)}
          >
            Refresh
          </button>
          <button type="button" className="button" onClick={() => setSavedOpen(true)}>
            Saved searches
          </button>
          <div className="button-group" role="group" aria-label="Export">
            <button
              type="button"
              className="button"
              disabled={exporter.isPending}
              onClick={() => exporter.mutate('ndjson')}
            >
              {exporter.isPending && exporter.variables === 'ndjson' ? 'Exporting…' : 'NDJSON'}
            </button>
            <button
              type="button"
              className="button"
              disabled={exporter.isPending}
              onClick={() => exporter.mutate('csv')}
            >
              {exporter.isPending && exporter.variables === 'csv' ? 'Exporting…' : 'CSV'}
            </button>
          </div>
        </div>
        <InlineError error={exporter.error} />
      </form>

      <div className="histogram-panel">
        <div className="panel-title-row">
          <span data-testid="search-total">
            {histogram.data
              ? `${histogram.data.total.toLocaleString()} lines`
              : histogram.isPending
                ? 'Counting…'
                : ''}
          </span>
          {histogram.data && (
            <span className="dim">
              {histogram.data.interval} buckets · {formatLocalTime(resolved.from)} →{' '}
              {formatLocalTime(resolved.to)}
            </span>
          )}
        </div>
        {histogram.data ? (
          <LevelHistogram
            data={histogram.data}
            height={120}
            testId="search-histogram"
            onSelectRange={(from, to) =>
              update({
                range: { from: new Date(from).toISOString(), to: new Date(to).toISOString() },
              })
            }
          />
        ) : (
          <div className="chart-placeholder small">
            {problem ? <span className="dim">No chart until the query is fixed.</span> : null}
          </div>
        )}
      </div>

      <div className="split">
        <aside className={`facets${problem ? ' is-stale' : ''}`} aria-label="Facets">
          <Facet
            title="Level"
            data={levelFacet.data}
            loading={levelFacet.isFetching}
            selected={state.levels}
            onToggle={(key, on) =>
              update({ levels: toggle(state.levels, key, on).filter(isLevel) })
            }
            onClear={() => update({ levels: [] })}
            keyClass={(key) => `level-${key}`}
            order={(a, b) => levelRank(a) - levelRank(b)}
            testId="facet-level"
          />
          <Facet
            title="Source"
            data={sourceFacet.data}
            loading={sourceFacet.isFetching}
            selected={state.sources}
            onToggle={(key, on) => update({ sources: toggle(state.sources, key, on) })}
            onClear={() => update({ sources: [] })}
            testId="facet-source"
          />
        </aside>

        <section
          className={`results${stale ? ' is-stale' : ''}`}
          aria-label="Results"
          aria-busy={results.isFetching}
        >
          <div className="results-head" role="presentation">
            <span>Time</span>
            <span>Level</span>
            <span>Source</span>
            <span>Host</span>
            <span>Message</span>
          </div>
          {results.isPending ? (
            <div className="state" role="status">
              Searching…
            </div>
          ) : problem ? (
            <div className="state">
              <h2>The query could not be run</h2>
              <p>Fix it above and press Enter.</p>
            </div>
          ) : otherError ? (
            <div className="state state-error" role="alert">
              <h2>Search failed</h2>
              <p>{otherError.message}</p>
              <button type="button" className="button" onClick={() => void results.refetch()}>
                Retry
              </button>
            </div>
          ) : items.length === 0 ? (
            <div className="state" data-testid="search-empty">
              <h2>No lines match</h2>
              <p>Widen the time range or change the query.</p>
            </div>
          ) : null}
          <div
            ref={scroller}
            className="results-list"
            hidden={items.length === 0 || results.isPending}
            tabIndex={0}
            role="listbox"
            aria-label="Matching lines, newest first"
            aria-activedescendant={
              active !== null && items[active] ? `result-${items[active].id}` : undefined
            }
            data-testid="search-results"
            onKeyDown={onRowsKeyDown}
          >
            <div className="results-inner" style={{ height: virtualizer.getTotalSize() }}>
              {virtualItems.map((item) => {
                const log = items[item.index];
                const isSelected = selected?.id === log.id;
                return (
                  <div
                    key={log.id}
                    id={`result-${log.id}`}
                    role="option"
                    aria-selected={isSelected}
                    className={`result-row sev-${log.level}${item.index === active ? ' active' : ''}${isSelected ? ' selected' : ''}`}
                    style={{ transform: `translateY(${item.start}px)` }}
                    data-testid="result-row"
                    onClick={() => {
                      setActive(item.index);
                      setSelected(log);
                    }}
                  >
                    <span className="cell-time" title={log.ts}>
                      {formatLocalTime(log.ts)}
                    </span>
                    <span>
                      <LevelBadge level={log.level} />
                    </span>
                    <span className="truncate" title={log.source}>
                      {log.source}
                    </span>
                    <span className="truncate dim" title={log.host ?? undefined}>
                      {log.host ?? '—'}
                    </span>
                    <span className="cell-message">
                      <HighlightedText text={log.message} spans={log.highlights} />
                    </span>
                  </div>
                );
              })}
            </div>
          </div>
          <div className="results-foot dim" aria-live="polite">
            {items.length > 0 &&
              `${items.length.toLocaleString()} shown${
                isFetchingNextPage
                  ? ' · loading older…'
                  : hasNextPage
                    ? ' · scroll for more'
                    : ' · end of results'
              }`}
            {results.isFetchNextPageError && (
              <span className="text-error"> · could not load more: {results.error?.message}</span>
            )}
          </div>
        </section>

        {selected && <LogDetail key={selected.id} record={selected} onClose={closeDetail} />}
      </div>

      <SavedSearchesDialog
        open={savedOpen}
        onClose={() => setSavedOpen(false)}
        current={{ ...state, q: draft }}
        onOpen={(next) => {
          setParams(writeSearchState(next));
          setRefreshTick((t) => t + 1);
        }}
      />
    </div>
  );
}
