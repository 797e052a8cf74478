import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { login } from '../api';
import { setToken, useSignOutNotice } from '../auth';
import { Logo } from '../components/Logo';

export function LoginPage() {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const notice = useSignOutNotice();

  const signIn = useMutation({
    mutationFn: login,
    onSuccess: (res) => setToken(res.accessToken),
    onError: () => setPassword(''),
  });

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (signIn.isPending) return;
    signIn.mutate({ username: username.trim(), password });
  }

  return (
    <main className="login-page">
      <form className="login-card" data-testid="login-form" onSubmit={onSubmit}>
        <h1 className="login-title">
          <Logo />
          Lookout
        </h1>
        <p className="login-subtitle">Sign in to search your logs.</p>

        {notice && !signIn.isError && (
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

        {signIn.isError && (
          <p className="form-error" role="alert" data-testid="login-error">
            {signIn.error.message}
          </p>
        )}

        <button type="submit" className="button primary login-submit" disabled={signIn.isPending}>
          {signIn.isPending ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
