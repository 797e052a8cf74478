import { useSyncExternalStore } from 'react';

/** The user's choice; `system` follows the operating system. */
export type ThemeChoice = 'system' | 'light' | 'dark';
export type Theme = 'light' | 'dark';

const STORAGE_KEY = 'lookout.theme';
const listeners = new Set<() => void>();
const media = window.matchMedia('(prefers-color-scheme: dark)');

function readChoice(): ThemeChoice {
  try {
    const stored = localStorage.getItem(STORAGE_KEY);
    if (stored === 'light' || stored === 'dark' || stored === 'system') return stored;
  } catch {
    /* storage unavailable */
  }
  return 'system';
}

let choice: ThemeChoice = readChoice();

function effective(): Theme {
  if (choice === 'system') return media.matches ? 'dark' : 'light';
  return choice;
}

let theme: Theme = effective();

function apply(): void {
  theme = effective();
  document.documentElement.dataset.theme = theme;
  for (const listener of listeners) listener();
}

media.addEventListener('change', apply);

/** Sets `data-theme` on <html> before the first render. */
export function initTheme(): void {
  apply();
}

export function setThemeChoice(next: ThemeChoice): void {
  choice = next;
  try {
    localStorage.setItem(STORAGE_KEY, next);
  } catch {
    /* memory only */
  }
  apply();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useTheme(): Theme {
  return useSyncExternalStore(subscribe, () => theme);
}

export function useThemeChoice(): ThemeChoice {
  return useSyncExternalStore(subscribe, () => choice);
}
