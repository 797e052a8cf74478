import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { changeOwnPassword } from '../../api/auth';
import { InlineError } from '../../components/States';
import { useMe } from '../../session';
import { setThemeChoice, useThemeChoice, type ThemeChoice } from '../../theme';

export function AccountTab() {
  const me = useMe();
  const theme = useThemeChoice();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const change = useMutation({
    mutationFn: () => changeOwnPassword(current, next),
    onSuccess: () => {
      setCurrent('');
      setNext('');
    },
  });

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    change.mutate();
  }

  return (
    <div className="grid-2 align-start" data-testid="account-tab">
      <section className="panel" aria-labelledby="acct-who">
        <h2 id="acct-who">Signed in as</h2>
        {me.data && (
          <dl className="kv">
            <dt>Username</dt>
            <dd>{me.data.username}</dd>
            <dt>Role</dt>
            <dd>{me.data.role}</dd>
          </dl>
        )}
        <fieldset className="radio-row spaced">
          <legend>Theme</legend>
          {(['system', 'light', 'dark'] as ThemeChoice[]).map((choice) => (
            <label key={choice} className="checkbox">
              <input
                type="radio"
                name="theme"
                checked={theme === choice}
                onChange={() => setThemeChoice(choice)}
              />
              {choice}
            </label>
          ))}
        </fieldset>
      </section>
      <form className="panel form" onSubmit={onSubmit} aria-labelledby="acct-pw">
        <h2 id="acct-pw">Change your password</h2>
        <div className="field">
          <label htmlFor="pw-current">Current password</label>
          <input
            id="pw-current"
            type="password"
            required
            autoComplete="current-password"
            value={current}
            onChange={(e) => setCurrent(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="pw-new">New password (8+ characters)</label>
          <input
            id="pw-new"
            type="password"
            required
            minLength={8}
            autoComplete="new-password"
            value={next}
            onChange={(e) => setNext(e.target.value)}
          />
        </div>
        <InlineError error={change.error} />
        {change.isSuccess && (
          <p className="notice" role="status">
            Password changed. Your other sessions have ended.
          </p>
        )}
        <div className="form-actions">
          <button type="submit" className="button primary" disabled={change.isPending}>
            Change password
          </button>
        </div>
      </form>
    </div>
  );
}
