import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { signIn } from '../api/session';
import { useSignOutNotice } from '../auth';
import { Logo } from '../components/Logo';

export function LoginPage() {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const notice = useSignOutNotice();

  const attempt = useMutation({
    mutationFn: signIn,
    onError: () => setPassword(''),
  });

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (attempt.isPending) return;
    attempt.mutate({ username: username.trim(), password });
  }

  return (
    <main className="login-page">
      <form className="login-card" data-testid="login-form" onSubmit={onSubmit}>
        <h1 className="login-title">
          <Logo />
          Lookout
        </h1>
        <p className="login-subtitle">Sign in to search your logs.</p>

        {notice && !attempt.isError && (
          <p className="notice" role="status">
            {notice}
          </p>
        )}

        <div className="field">
          <label htmlFor="login-username">Username</label>
          <input
            id="login-username"
            name="username"
            autoComplete="username"
            autoFocus
            required
            value={username}
            onChange={(e) => setUsername(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="login-password">Password</label>
          <input
            id="login-password"
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </div>

        {attempt.isError && (
          <p className="form-error" role="alert" data-testid="login-error">
            {attempt.error.message}
          </p>
        )}

        <button type="submit" className="button primary login-submit" disabled={attempt.isPending}>
          {attempt.isPending ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
