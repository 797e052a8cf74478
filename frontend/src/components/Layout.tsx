import type { UserRole } from '@app/contracts';
import { useEffect } from 'react';
import { NavLink, Outlet } from 'react-router-dom';
import { signOut } from '../api/session';
import { hasRole, useMe } from '../session';
import { setThemeChoice, useThemeChoice, type ThemeChoice } from '../theme';
import { Logo } from './Logo';

interface NavItem {
  to: string;
  label: string;
  /** Least role that sees the item. */
  role: UserRole;
}

export const NAV_ITEMS: readonly NavItem[] = [
  { to: '/overview', label: 'Overview', role: 'viewer' },
  { to: '/live', label: 'Live tail', role: 'viewer' },
  { to: '/search', label: 'Search', role: 'viewer' },
  { to: '/alerts', label: 'Alerts', role: 'viewer' },
  { to: '/notifications', label: 'Notifications', role: 'viewer' },
  { to: '/sources', label: 'Sources & parsers', role: 'viewer' },
  { to: '/settings', label: 'Settings', role: 'viewer' },
];

const THEME_LABELS: Record<ThemeChoice, string> = {
  system: 'System theme',
  light: 'Light',
  dark: 'Dark',
};

export function Layout() {
  const me = useMe();
  const themeChoice = useThemeChoice();
  const role = me.data?.role;

  // "/" jumps to the page's query box, as in most log and search tools.
  useEffect(() => {
    function onKeyDown(event: KeyboardEvent) {
      if (event.key !== '/' || event.ctrlKey || event.metaKey || event.altKey) return;
      const target = event.target as HTMLElement | null;
      if (target?.closest('input, textarea, select, [contenteditable="true"]')) return;
      const box = document.querySelector<HTMLInputElement>('[data-shortcut="query"]');
      if (!box) return;
      event.preventDefault();
      box.focus();
      box.select();
    }
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, []);

  return (
    <div className="app-shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        <div className="app-title">
          <Logo />
          <span>Lookout</span>
        </div>
        <nav className="main-nav" aria-label="Main">
          {NAV_ITEMS.filter((item) => role === undefined || hasRole(role, item.role)).map(
            (item) => (
              <NavLink key={item.to} to={item.to} className="nav-link">
                {item.label}
              </NavLink>
            ),
          )}
        </nav>
        <div className="header-tools">
          <label className="visually-hidden" htmlFor="theme-choice">
            Theme
          </label>
          <select
            id="theme-choice"
            className="select small"
            value={themeChoice}
            onChange={(e) => setThemeChoice(e.target.value as ThemeChoice)}
          >
            {(Object.keys(THEME_LABELS) as ThemeChoice[]).map((choice) => (
              <option key={choice} value={choice}>
                {THEME_LABELS[choice]}
              </option>
            ))}
          </select>
          {me.data && (
            <span className="user-chip" data-testid="current-user" title="Signed in">
              {me.data.username}
              <span className="role-tag">{me.data.role}</span>
            </span>
          )}
          <button
            type="button"
            className="button small"
            data-testid="logout"
            onClick={() => void signOut()}
          >
            Log out
          </button>
        </div>
      </header>
      {me.isError && (
        <div className="banner-error" role="alert">
          Could not load your profile: {me.error.message}
        </div>
      )}
      <main id="main" className="app-main" tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  );
}
