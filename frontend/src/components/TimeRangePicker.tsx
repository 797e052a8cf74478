import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import {
  boundToMs,
  describeRange,
  fromLocalInput,
  RELATIVE_PRESETS,
  toLocalInput,
  type TimeRange,
} from '../time';

interface TimeRangePickerProps {
  value: TimeRange;
  onChange: (range: TimeRange) => void;
}

/** A button showing the range; opens relative presets and an absolute from/to form. */
export function TimeRangePicker({ value, onChange }: TimeRangePickerProps) {
  const id = useId();
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const now = Date.now();
  const [from, setFrom] = useState(() => toLocalInput(boundToMs(value.from, now)));
  const [to, setTo] = useState(() => toLocalInput(boundToMs(value.to, now)));
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!open) return;
    const at = Date.now();
    setFrom(toLocalInput(boundToMs(value.from, at)));
    setTo(toLocalInput(boundToMs(value.to, at)));
    setError(null);
    function onDown(event: MouseEvent) {
      if (root.current && !root.current.contains(event.target as Node)) setOpen(false);
    }
    function onKey(event: KeyboardEvent) {
      if (event.key === 'Escape') {
        event.preventDefault();
        setOpen(false);
        button.current?.focus();
      }
    }
    document.addEventListener('mousedown', onDown);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('mousedown', onDown);
      document.removeEventListener('keydown', onKey);
    };
  }, [open, value]);

  function choose(range: TimeRange) {
    onChange(range);
    setOpen(false);
    button.current?.focus();
  }

  function applyAbsolute(event: FormEvent) {
    event.preventDefault();
    const fromIso = fromLocalInput(from);
    const toIso = fromLocalInput(to);
    if (!fromIso || !toIso) return setError('Give both a start and an end.');
    if (fromIso >= toIso) return setError('The start must be before the end.');
    choose({ from: fromIso, to: toIso });
  }

  return (
    <div className="range-picker" ref={root}>
      <button
        ref={button}
        type="button"
        className="button"
        aria-haspopup="dialog"
        aria-expanded={open}
        aria-controls={`${id}-panel`}
        data-testid="time-range"
        onClick={() => setOpen((o) => !o)}
      >
        <svg width="14" height="14" viewBox="0 0 16 16" aria-hidden="true">
          <circle cx="8" cy="8" r="6.5" fill="none" stroke="currentColor" strokeWidth="1.5" />
          <path d="M8 4.5V8l2.5 1.5" fill="none" stroke="currentColor" strokeWidth="1.5" />
        </svg>
        {describeRange(value)}
      </button>
      {open && (
        <div id={`${id}-panel`} className="range-panel" role="dialog" aria-label="Time range">
          <div className="range-presets">
            <h3>Relative</h3>
            <ul>
              {RELATIVE_PRESETS.map((preset) => (
                <li key={preset.from}>
                  <button
                    type="button"
                    className={`preset${value.from === preset.from && value.to === 'now' ? ' active' : ''}`}
                    onClick={() => choose({ from: preset.from, to: 'now' })}
                  >
                    {preset.label}
                  </button>
                </li>
              ))}
            </ul>
          </div>
          <form className="range-absolute" onSubmit={applyAbsolute}>
            <h3>Absolute</h3>
            <div className="field">
              <label htmlFor={`${id}-from`}>From</label>
              <input
                id={`${id}-from`}
                type="datetime-local"
                value={from}
                onChange={(e) => setFrom(e.target.value)}
              />
            </div>
            <div className="field">
              <label htmlFor={`${id}-to`}>To</label>
              <input
                id={`${id}-to`}
                type="datetime-local"
                value={to}
                onChange={(e) => setTo(e.target.value)}
              />
            </div>
            {error && (
              <p className="text-error" role="alert">
                {error}
              </p>
            )}
            <button type="submit" className="button primary">
              Apply range
            </button>
            <p className="hint">Times are in your browser's time zone.</p>
          </form>
        </div>
      )}
    </div>
  );
}
