import { USER_ROLES, type UserRole, type UserSummary } from '@app/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { createUser, deleteUser, listUsers, resetPassword, updateUser } from '../../api/auth';
import { Dialog } from '../../components/Dialog';
import { Empty, ErrorState, InlineError, Loading } from '../../components/States';
import { useMe } from '../../session';
import { formatAgo } from '../../time';
import { Options } from '../../components/Options';

const USERS = ['users'] as const;

const ROLE_HELP: Record<UserRole, string> = {
  viewer: 'search, live tail, dashboards',
  editor: 'also rules, channels, sources, pipelines',
  admin: 'also users, API keys, retention, audit',
};

export function UsersTab() {
  const me = useMe();
  const queryClient = useQueryClient();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<UserRole>('viewer');
  const [resetting, setResetting] = useState<UserSummary | null>(null);
  const users = useQuery({ queryKey: USERS, queryFn: ({ signal }) => listUsers(signal) });
  const invalidate = () => void queryClient.invalidateQueries({ queryKey: USERS });
  const create = useMutation({
    mutationFn: () => createUser({ username: username.trim(), password, role }),
    onSuccess: () => {
      setUsername('');
      setPassword('');
      setRole('viewer');
      invalidate();
    },
  });
  const changeRole = useMutation({
    mutationFn: (v: { id: string; role: UserRole }) => updateUser(v.id, { role: v.role }),
    onSettled: invalidate,
  });
  const remove = useMutation({ mutationFn: deleteUser, onSuccess: invalidate });

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    create.mutate();
  }

  if (users.isPending) return <Loading />;
  if (users.isError)
    return (
      <ErrorState
        title="Could not load users"
        error={users.error}
        onRetry={() => void users.refetch()}
      />
    );

  return (
    <section aria-label="Users and roles" className="stack">
      <form className="panel form" onSubmit={onSubmit}>
        <h2>Add a user</h2>
        <div className="form-row">
          <div className="field">
            <label htmlFor="user-name">Username</label>
            <input
              id="user-name"
              required
              autoComplete="off"
              value={username}
              onChange={(e) => setUsername(e.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor="user-password">Password (8+ characters)</label>
            <input
              id="user-password"
              type="password"
              required
              minLength={8}
              autoComplete="new-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor="user-role">Role</label>
            <select
              id="user-role"
              className="select"
              value={role}
              onChange={(e) => setRole(e.target.value as UserRole)}
            >
              {USER_ROLES.map((r) => (
                <option key={r} value={r}>
                  {r} — {ROLE_HELP[r]}
                </option>
              ))}
            </select>
          </div>
          <button type="submit" className="button primary" disabled={create.isPending}>
            Add user
          </button>
        </div>
        <InlineError error={create.error} />
      </form>

      {users.data.length === 0 ? (
        <Empty title="No users" />
      ) : (
        <table className="data-table" data-testid="users-table">
          <thead>
            <tr>
              <th scope="col">User</th>
              <th scope="col">Role</th>
              <th scope="col">Last sign-in</th>
              <th scope="col">Password changed</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {users.data.map((u) => {
              const self = u.id === me.data?.id;
              return (
                <tr key={u.id}>
                  <td>
                    {u.username}
                    {self && <span className="tag">you</span>}
                  </td>
                  <td>
                    <label className="visually-hidden" htmlFor={`role-${u.id}`}>
                      Role of {u.username}
                    </label>
                    <select
                      id={`role-${u.id}`}
                      className="select small"
                      value={u.role}
                      disabled={changeRole.isPending}
                      onChange={(e) =>
                        changeRole.mutate({ id: u.id, role: e.target.value as UserRole })
                      }
                    >
                      <Options values={USER_ROLES} />
                    </select>
                  </td>
                  <td className="dim">{u.lastLoginAt ? formatAgo(u.lastLoginAt) : 'never'}</td>
                  <td className="dim">
                    {u.passwordChangedAt ? formatAgo(u.passwordChangedAt) : '—'}
                  </td>
                  <td className="actions">
                    <button type="button" className="button small" onClick={() => setResetting(u)}>
                      Reset password
                    </button>
                    {!self && (
                      <button
                        type="button"
                        className="button small danger"
                        disabled={remove.isPending}
                        onClick={() => {
                          if (window.confirm(`Delete the user ${u.username}?`)) remove.mutate(u.id);
                        }}
                      >
                        Delete
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <InlineError error={changeRole.error ?? remove.error} />
      <Dialog
        title={`Reset the password of ${resetting?.username ?? ''}`}
        open={resetting !== null}
        onClose={() => setResetting(null)}
      >
        {resetting && <ResetForm user={resetting} onDone={() => setResetting(null)} />}
      </Dialog>
    </section>
  );
}

function ResetForm({ user, onDone }: { user: UserSummary; onDone: () => void }) {
  const [password, setPassword] = useState('');
  const reset = useMutation({
    mutationFn: () => resetPassword(user.id, password),
    onSuccess: onDone,
  });
  return (
    <form
      className="form"
      onSubmit={(e) => {
        e.preventDefault();
        reset.mutate();
      }}
    >
      <p className="hint">
        Every session of {user.username} ends, and a sign-in lockout is lifted.
      </p>
      <div className="field">
        <label htmlFor="reset-password">New password</label>
        <input
          id="reset-password"
          type="password"
          minLength={8}
          required
          autoComplete="new-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
      </div>
      <InlineError error={reset.error} />
      <div className="form-actions">
        <button type="submit" className="button primary" disabled={reset.isPending}>
          Set password
        </button>
      </div>
    </form>
  );
}
