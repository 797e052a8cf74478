import { useId, useRef, useState, type KeyboardEvent } from 'react';

export interface QueryProblem {
  message: string;
  /** 0-based offset of the problem in the query; null when the error is not about a place. */
  position: number | null;
}

interface QueryInputProps {
  value: string;
  onChange: (value: string) => void;
  /** Enter pressed. */
  onSubmit?: () => void;
  problem: QueryProblem | null;
  label?: string;
  placeholder?: string;
  testId?: string;
  autoFocus?: boolean;
}

const EXAMPLES: readonly [string, string][] = [
  ['timeout', 'the word in the message (any case)'],
  ['"connection refused"', 'a phrase'],
  ['time*', 'words starting with time'],
  ['level:>=warning', 'warning and more severe'],
  ['status:>=500', 'comparisons on status, latency_ms, fields.x'],
  ['latency_ms:[100 TO 500]', 'a range'],
  ['path:/api/*', 'wildcards on exact values'],
  ['host:(web1 OR web2)', 'several values'],
  ['fields.user:ann', 'a parsed field'],
  ['-host:canary', 'NOT; also NOT, AND, OR and ( )'],
];

/**
 * The query-language input: monospace, with a syntax cheat sheet and, for a query the server
 * refused, the error pointed at its position.
 */
export function QueryInput({
  value,
  onChange,
  onSubmit,
  problem,
  label = 'Query',
  placeholder = 'e.g. timeout level:>=warning -host:web1',
  testId,
  autoFocus,
}: QueryInputProps) {
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [help, setHelp] = useState(false);
  const position =
    problem?.position !== null && problem?.position !== undefined
      ? Math.min(problem.position, value.length)
      : null;

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key === 'Enter') {
      event.preventDefault();
      onSubmit?.();
    }
  }

  function goToError() {
    if (position === null || !input.current) return;
    input.current.focus();
    input.current.setSelectionRange(position, Math.min(position + 1, value.length));
  }

  function insert(example: string) {
    onChange(value.trim() === '' ? example : `${value.trimEnd()} ${example}`);
    input.current?.focus();
  }

  return (
    <div className="query-input">
      <div className="query-row">
        <label htmlFor={id} className="visually-hidden">
          {label}
        </label>
        <input
          ref={input}
          id={id}
          className={`query-field mono${problem ? ' invalid' : ''}`}
          type="text"
          value={value}
          placeholder={placeholder}
          spellCheck={false}
          autoComplete="off"
          autoFocus={autoFocus}
          aria-invalid={problem ? true : undefined}
          aria-describedby={problem ? `${id}-error` : undefined}
          data-testid={testId}
          data-shortcut="query"
          title="Press / to focus"
          onChange={(e) => onChange(e.target.value)}
          onKeyDown={onKeyDown}
        />
        <button
          type="button"
          className="button"
          aria-expanded={help}
          aria-controls={`${id}-help`}
          onClick={() => setHelp((open) => !open)}
        >
          Syntax
        </button>
      </div>
      {problem && (
        <div id={`${id}-error`} className="query-error" role="alert" data-testid="query-error">
          <span>{problem.message}</span>
          {position !== null && (
            <>
              <pre className="query-pointer" aria-hidden="true">
                {value.slice(0, position)}
                <span className="query-pointer-at">
                  {value.slice(position, position + 1) || ' '}
                </span>
                {value.slice(position + 1)}
                {'\n'}
                {' '.repeat(position)}^
              </pre>
              <button type="button" className="link-button" onClick={goToError}>
                Go to position {position}
              </button>
            </>
          )}
        </div>
      )}
      {help && (
        <div id={`${id}-help`} className="syntax-help" data-testid="syntax-help">
          <p>A space means AND. Click an example to add it. Full guide: docs/query-language.md.</p>
          <dl>
            {EXAMPLES.map(([example, meaning]) => (
              <div key={example} className="syntax-row">
                <dt>
                  <button type="button" className="code-button" onClick={() => insert(example)}>
                    {example}
                  </button>
                </dt>
                <dd>{meaning}</dd>
              </div>
            ))}
          </dl>
        </div>
      )}
    </div>
  );
}
