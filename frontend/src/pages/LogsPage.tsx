import type { LogRecord, LogSearchResponse } from '@app/contracts';
import {
  keepPreviousData,
  useInfiniteQuery,
  useQueryClient,
  type InfiniteData,
} from '@tanstack/react-query';
import { useCallback, useMemo, useState } from 'react';
import { hasFilters, NO_FILTERS, searchLogs, type LogFilters } from '../api';
import { EmptyState } from '../components/EmptyState';
import { FilterBar } from '../components/FilterBar';
import { LogDetail } from '../components/LogDetail';
import { LogTable, rowSelector } from '../components/LogTable';
import { Logo } from '../components/Logo';
import { formatClock } from '../format';
import { useDebouncedValue } from '../hooks/useDebouncedValue';

const REFRESH_MS = 2000;
const TYPING_DEBOUNCE_MS = 300;

type LogPages = InfiniteData<LogSearchResponse, string | null>;

interface LogsPageProps {
  onLogout: () => void;
}

export function LogsPage({ onLogout }: LogsPageProps) {
  const queryClient = useQueryClient();
  const [filters, setFilters] = useState<LogFilters>(NO_FILTERS);
  const [autoRefresh, setAutoRefresh] = useState(true);
  const [selected, setSelected] = useState<LogRecord | null>(null);

  // Text filters apply once typing pauses; level checkboxes apply at once.
  const q = useDebouncedValue(filters.q.trim(), TYPING_DEBOUNCE_MS);
  const source = useDebouncedValue(filters.source.trim(), TYPING_DEBOUNCE_MS);
  const host = useDebouncedValue(filters.host.trim(), TYPING_DEBOUNCE_MS);
  const applied = useMemo<LogFilters>(
    () => ({ q, levels: filters.levels, source, host }),
    [q, filters.levels, source, host],
  );
  const queryKey = useMemo(() => ['logs', applied] as const, [applied]);

  const logs = useInfiniteQuery({
    queryKey,
    queryFn: ({ pageParam, signal }) => searchLogs(applied, pageParam, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.nextCursor,
    refetchInterval: autoRefresh ? REFRESH_MS : false,
    placeholderData: keepPreviousData,
  });

  const items = useMemo(() => {
    const seen = new Set<string>();
    const out: LogRecord[] = [];
    for (const page of logs.data?.pages ?? []) {
      for (const item of page.items) {
        if (!seen.has(item.id)) {
          seen.add(item.id);
          out.push(item);
        }
      }
    }
    return out;
  }, [logs.data]);

  function changeAutoRefresh(on: boolean) {
    if (on) {
      // Back to tailing: keep only the newest page, so each refresh is one request.
      queryClient.setQueryData<LogPages>(queryKey, (data) =>
        data && data.pages.length > 1
          ? { pages: data.pages.slice(0, 1), pageParams: data.pageParams.slice(0, 1) }
          : data,
      );
      void logs.refetch();
    }
    setAutoRefresh(on);
  }

  function loadOlder() {
    // Reading history: stop the table from moving (and from refetching every page).
    setAutoRefresh(false);
    void logs.fetchNextPage();
  }

  const closeDetail = useCallback(() => {
    if (!selected) return;
    setSelected(null);
    // Give focus back to the row that was open, when it is still listed.
    document.querySelector<HTMLElement>(rowSelector(selected.id))?.focus();
  }, [selected]);

  const filtered = hasFilters(applied);

  const status = logs.data ? (
    <>
      <span>
        {items.length} {items.length === 1 ? 'log' : 'logs'}
        {filtered && ' matching'}
      </span>
      <span className="dim">
        {autoRefresh && <span className="live-dot" aria-hidden="true" />}
        updated {formatClock(logs.dataUpdatedAt)}
      </span>
    </>
  ) : null;

  let content;
  if (logs.isPending) {
    content = (
      <div className="state" role="status">
        Loading logs…
      </div>
    );
  } else if (logs.isError && !logs.data) {
    content = (
      <div className="state state-error" role="alert" data-testid="logs-error">
        <h2>Could not load logs</h2>
        <p>{logs.error.message}</p>
        <button type="button" className="button" onClick={() => void logs.refetch()}>
          Retry
        </button>
      </div>
    );
  } else if (items.length === 0) {
    content = <EmptyState filtered={filtered} onClearFilters={() => setFilters(NO_FILTERS)} />;
  } else {
    content = (
      <>
        <LogTable items={items} selectedId={selected?.id ?? null} onSelect={setSelected} />
        <div className="table-footer">
          {logs.hasNextPage ? (
            <button
              type="button"
              className="button"
              onClick={loadOlder}
              disabled={logs.isFetchingNextPage}
            >
              {logs.isFetchingNextPage ? 'Loading…' : 'Load older'}
            </button>
          ) : (
            <span className="dim">No older logs.</span>
          )}
          {logs.isFetchNextPageError && (
            <span className="text-error">Could not load older logs: {logs.error.message}</span>
          )}
        </div>
      </>
    );
  }

  return (
    <div className="app-shell">
      <header className="app-header">
        <h1 className="app-title">
          <Logo />
          Lookout
        </h1>
        <button type="button" className="button small" data-testid="logout" onClick={onLogout}>
          Log out
        </button>
      </header>

      <FilterBar
        filters={filters}
        onChange={setFilters}
        autoRefresh={autoRefresh}
        onAutoRefreshChange={changeAutoRefresh}
        status={status}
      />

      {logs.isRefetchError && logs.data && (
        <div className="banner-error" role="alert">
          Refresh failed: {logs.error.message} — showing logs as of{' '}
          {formatClock(logs.dataUpdatedAt)}.
        </div>
      )}

      <div className="logs-main">
        <main
          className={`table-wrap${logs.isPlaceholderData ? ' is-stale' : ''}`}
          aria-busy={logs.isPlaceholderData}
          aria-label="Logs"
        >
          {content}
        </main>
        {selected && <LogDetail key="detail" record={selected} onClose={closeDetail} />}
      </div>
    </div>
  );
}
