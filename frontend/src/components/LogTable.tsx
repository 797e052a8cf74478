import type { LogRecord } from '@app/contracts';
import type { KeyboardEvent } from 'react';
import { formatLocalTime } from '../format';
import { LevelBadge } from './LevelBadge';

interface LogTableProps {
  items: LogRecord[];
  selectedId: string | null;
  onSelect: (record: LogRecord) => void;
}

/** Selector of a row by log id, to give focus back after the detail panel closes. */
export function rowSelector(id: string): string {
  return `tr[data-log-id="${CSS.escape(id)}"]`;
}

function onRowKeyDown(event: KeyboardEvent<HTMLTableRowElement>, open: () => void) {
  const row = event.currentTarget;
  switch (event.key) {
    case 'Enter':
    case ' ':
      event.preventDefault();
      open();
      break;
    case 'ArrowDown':
      event.preventDefault();
      (row.nextElementSibling as HTMLElement | null)?.focus();
      break;
    case 'ArrowUp':
      event.preventDefault();
      (row.previousElementSibling as HTMLElement | null)?.focus();
      break;
  }
}

export function LogTable({ items, selectedId, onSelect }: LogTableProps) {
  return (
    <table className="log-table" data-testid="log-table">
      <colgroup>
        <col className="col-time" />
        <col className="col-level" />
        <col className="col-source" />
        <col className="col-host" />
        <col />
      </colgroup>
      <thead>
        <tr>
          <th scope="col">Time</th>
          <th scope="col">Level</th>
          <th scope="col">Source</th>
          <th scope="col">Host</th>
          <th scope="col">Message</th>
        </tr>
      </thead>
      <tbody>
        {items.map((log) => {
          const open = () => onSelect(log);
          const selected = log.id === selectedId;
          return (
            <tr
              key={log.id}
              data-testid="log-row"
              data-log-id={log.id}
              className={`log-row sev-${log.level}${selected ? ' selected' : ''}`}
              tabIndex={0}
              aria-current={selected ? 'true' : undefined}
              onClick={open}
              onKeyDown={(e) => onRowKeyDown(e, open)}
            >
              <td className="cell-time" title={log.ts}>
                {formatLocalTime(log.ts)}
              </td>
              <td>
                <LevelBadge level={log.level} />
              </td>
              <td className="cell-text" title={log.source}>
                {log.source}
              </td>
              <td className="cell-text" title={log.host ?? undefined}>
                {log.host ?? <span className="dim">—</span>}
              </td>
              <td className="cell-message">{log.message}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
