import type { LogLevelName, LogRecord } from '@app/contracts';
import { useVirtualizer } from '@tanstack/react-virtual';
import {
  useCallback,
  useEffect,
  useLayoutEffect,
  useRef,
  useState,
  type FormEvent,
  type KeyboardEvent,
  type WheelEvent,
} from 'react';
import { HighlightedText } from '../components/HighlightedText';
import { IngestHint } from '../components/IngestHint';
import { LevelBadge } from '../components/LevelBadge';
import { LevelPicker } from '../components/LevelPicker';
import { LogDetail } from '../components/LogDetail';
import { QueryInput, type QueryProblem } from '../components/QueryInput';
import { formatClockMs } from '../format';
import { composeTailQuery } from '../live/compose-query';
import { TAIL_CAPACITY, useLiveTail, type TailEntry, type TailStatus } from '../live/use-live-tail';

/** Every row has the same height, so the list never measures and scrolling stays exact. */
const ROW_HEIGHT = 24;

const STATUS_TEXT: Record<TailStatus, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  paused: 'Paused',
  disconnected: 'Disconnected',
};

interface Filters {
  query: string;
  source: string;
  host: string;
}

function skippedText(entry: Extract<TailEntry, { kind: 'skipped' }>): string {
  const n = entry.count.toLocaleString();
  return entry.reason === 'paused'
    ? `${n} ${entry.count === 1 ? 'line' : 'lines'} skipped while paused`
    : `${n} ${entry.count === 1 ? 'line' : 'lines'} skipped: this browser fell behind the stream`;
}

export function LiveTailPage() {
  const tail = useLiveTail();
  const { buffer, version } = tail;
  const [draft, setDraft] = useState<Filters>({ query: '', source: '', host: '' });
  const [levels, setLevels] = useState<LogLevelName[]>([]);
  const [applied, setApplied] = useState<Filters & { offset: number }>({
    query: '',
    source: '',
    host: '',
    offset: 0,
  });
  const [paused, setPaused] = useState(false);
  const [follow, setFollowState] = useState(true);
  const followRef = useRef(true);
  const [selected, setSelected] = useState<LogRecord | null>(null);
  const [active, setActive] = useState<number | null>(null);
  const scroller = useRef<HTMLDivElement>(null);
  /** scrollTop we set ourselves, to tell our scrolls from the user's. */
  const ownScroll = useRef<number | null>(null);
  const droppedSeen = useRef(0);
  const [unseen, setUnseen] = useState(0);

  const setFollow = useCallback((on: boolean) => {
    followRef.current = on;
    setFollowState(on);
    if (on) setUnseen(0);
  }, []);

  const count = buffer.length;
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 25,
    // No getItemKey: rows have one fixed size, so measurements by index never go stale, and a
    // key function (new on every render) would make the list re-measure all 100,000 rows per
    // frame. React keys come from the entries below.
  });

  // Subscribe on mount and whenever the applied filters or levels change.
  const { subscribe } = tail;
  useEffect(() => {
    const composed = composeTailQuery(applied.query, applied.source, applied.host);
    void subscribe({ query: composed.text, levels: levels.length > 0 ? levels : undefined });
  }, [applied, levels, subscribe]);

  // After each batch: keep the newest line in view when following; otherwise keep the lines
  // the user is reading in place while the oldest ones are dropped from the top.
  const lastCount = useRef(0);
  useLayoutEffect(() => {
    const el = scroller.current;
    const dropped = buffer.dropped - droppedSeen.current;
    droppedSeen.current = buffer.dropped;
    const added = count - lastCount.current + dropped;
    lastCount.current = count;
    if (!el) return;
    if (followRef.current) {
      el.scrollTop = el.scrollHeight;
      ownScroll.current = el.scrollTop;
    } else {
      if (dropped > 0 && dropped < count) {
        el.scrollTop = Math.max(0, el.scrollTop - dropped * ROW_HEIGHT);
        ownScroll.current = el.scrollTop;
        setActive((a) => (a === null ? null : a - dropped >= 0 ? a - dropped : null));
      }
      if (added > 0) setUnseen((n) => n + added);
    }
  }, [version, count, buffer]);

  function onScroll() {
    const el = scroller.current;
    if (!el) return;
    if (ownScroll.current !== null && Math.abs(el.scrollTop - ownScroll.current) < 1) return;
    ownScroll.current = null;
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < ROW_HEIGHT;
    if (atBottom !== followRef.current) setFollow(atBottom);
  }

  function jumpToLatest() {
    setFollow(true);
    const el = scroller.current;
    if (el) {
      el.scrollTop = el.scrollHeight;
      ownScroll.current = el.scrollTop;
    }
  }

  function apply(event?: FormEvent) {
    event?.preventDefault();
    const composed = composeTailQuery(draft.query, draft.source, draft.host);
    setApplied({ ...draft, offset: composed.offset });
  }

  function togglePause() {
    const next = !paused;
    setPaused(next);
    tail.setPaused(next);
  }

  function open(index: number) {
    const entry = buffer.get(index);
    setActive(index);
    if (entry.kind === 'line') {
      setSelected(entry.line);
      // Reading a line: stop the list from moving under it.
      setFollow(false);
    }
  }

  function onListKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    if (count === 0) return;
    let next = active ?? count - 1;
    switch (event.key) {
      case 'ArrowDown':
        next = Math.min(count - 1, (active ?? -1) + 1);
        break;
      case 'ArrowUp':
        next = Math.max(0, (active ?? count) - 1);
        setFollow(false);
        break;
      case 'PageDown':
        next = Math.min(count - 1, (active ?? 0) + 20);
        break;
      case 'PageUp':
        next = Math.max(0, (active ?? count) - 20);
        setFollow(false);
        break;
      case 'Home':
        next = 0;
        setFollow(false);
        break;
      case 'End':
        jumpToLatest();
        setActive(count - 1);
        event.preventDefault();
        return;
      case 'Enter':
      case ' ':
        if (active !== null) open(active);
        event.preventDefault();
        return;
      default:
        return;
    }
    event.preventDefault();
    setActive(next);
    virtualizer.scrollToIndex(next, { align: 'auto' });
  }

  const closeDetail = useCallback(() => {
    setSelected(null);
    scroller.current?.focus();
  }, []);

  // Mouse wheel up is the clearest sign the user wants to read: stop following at once, even
  // when a batch is about to scroll the list.
  function onWheel(event: WheelEvent) {
    if (event.deltaY < 0 && followRef.current) setFollow(false);
  }

  const problem: QueryProblem | null = tail.problem
    ? {
        message: tail.problem.message,
        position:
          tail.problem.position === null
            ? null
            : Math.max(0, tail.problem.position - applied.offset),
      }
    : null;

  const items = virtualizer.getVirtualItems();
  const activeId = active !== null && active < count ? `tail-row-${buffer.get(active).key}` : '';

  return (
    <div className="page page-fill">
      <form className="toolbar" role="search" aria-label="Live tail filters" onSubmit={apply}>
        <div className="toolbar-row">
          <div className="grow">
            <QueryInput
              label="Live tail query"
              value={draft.query}
              onChange={(query) => setDraft((d) => ({ ...d, query }))}
              onSubmit={apply}
              problem={problem}
              testId="tail-query"
            />
          </div>
          <div className="field inline">
            <label htmlFor="tail-source">Source</label>
            <input
              id="tail-source"
              placeholder="any"
              spellCheck={false}
              autoComplete="off"
              value={draft.source}
              onChange={(e) => setDraft((d) => ({ ...d, source: e.target.value }))}
            />
          </div>
          <div className="field inline">
            <label htmlFor="tail-host">Host</label>
            <input
              id="tail-host"
              placeholder="any"
              spellCheck={false}
              autoComplete="off"
              value={draft.host}
              onChange={(e) => setDraft((d) => ({ ...d, host: e.target.value }))}
            />
          </div>
          <button type="submit" className="button primary" data-testid="tail-apply">
            Apply
          </button>
        </div>
        <div className="toolbar-row">
          <LevelPicker value={levels} onChange={setLevels} />
          <div className="toolbar-status" aria-live="polite">
            <span className={`status-dot status-${tail.status}`} aria-hidden="true" />
            <span data-testid="tail-status">{STATUS_TEXT[tail.status]}</span>
            <span className="dim">{Math.round(tail.rate).toLocaleString()} lines/s</span>
            <span className="dim" data-testid="tail-count">
              {count.toLocaleString()} / {TAIL_CAPACITY.toLocaleString()} kept
            </span>
          </div>
          <button
            type="button"
            className="button"
            aria-pressed={paused}
            data-testid="tail-pause"
            onClick={togglePause}
          >
            {paused ? 'Resume' : 'Pause'}
          </button>
          <button
            type="button"
            className="button"
            onClick={() => {
              tail.clear();
              setSelected(null);
              setActive(null);
              setFollow(true);
            }}
          >
            Clear
          </button>
        </div>
      </form>

      <div className="split">
        <div className="tail-pane">
          {count === 0 ? (
            <div className="state" data-testid="tail-empty">
              <h2>
                {tail.status === 'live' ? 'Waiting for matching lines…' : STATUS_TEXT[tail.status]}
              </h2>
              <p>Lines appear here the moment they are stored.</p>
              <IngestHint />
            </div>
          ) : null}
          <div
            ref={scroller}
            className="tail-list"
            hidden={count === 0}
            tabIndex={0}
            role="listbox"
            aria-label="Live lines, newest at the bottom"
            aria-activedescendant={activeId || undefined}
            data-testid="tail-list"
            onScroll={onScroll}
            onWheel={onWheel}
            onKeyDown={onListKeyDown}
          >
            <div className="tail-inner" style={{ height: virtualizer.getTotalSize() }}>
              {items.map((item) => {
                const entry = buffer.get(item.index);
                const style = { transform: `translateY(${item.start}px)` };
                const isActive = item.index === active;
                if (entry.kind === 'line') {
                  const line = entry.line;
                  const isSelected = selected?.id === line.id;
                  return (
                    <div
                      key={entry.key}
                      id={`tail-row-${entry.key}`}
                      role="option"
                      aria-selected={isSelected}
                      className={`tail-row sev-${line.level}${isActive ? ' active' : ''}${isSelected ? ' selected' : ''}`}
                      style={style}
                      data-testid="tail-row"
                      onClick={() => open(item.index)}
                    >
                      <span className="tail-time">{formatClockMs(line.ts)}</span>
                      <LevelBadge level={line.level} />
                      <span className="tail-source" title={line.source}>
                        {line.source}
                      </span>
                      <span className="tail-message">
                        <HighlightedText text={line.message} spans={line.highlights} />
                      </span>
                    </div>
                  );
                }
                return (
                  <div
                    key={entry.key}
                    id={`tail-row-${entry.key}`}
                    role="option"
                    aria-selected={false}
                    className={`tail-row tail-marker${entry.kind === 'skipped' ? ' skipped' : ''}${isActive ? ' active' : ''}`}
                    style={style}
                    data-testid={entry.kind === 'skipped' ? 'tail-skipped' : 'tail-notice'}
                  >
                    {entry.kind === 'skipped' ? skippedText(entry) : entry.text}
                  </div>
                );
              })}
            </div>
          </div>
          {!follow && count > 0 && (
            <button
              type="button"
              className="button primary jump-latest"
              data-testid="tail-jump"
              onClick={jumpToLatest}
            >
              {unseen > 0 ? `${unseen.toLocaleString()} new — ` : ''}Jump to latest ↓
            </button>
          )}
          {buffer.dropped > 0 && (
            <div className="tail-dropped dim">
              Older lines dropped: the browser keeps the newest {TAIL_CAPACITY.toLocaleString()}.
            </div>
          )}
        </div>
        {selected && <LogDetail key={selected.id} record={selected} onClose={closeDetail} />}
      </div>
    </div>
  );
}
