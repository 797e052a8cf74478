import { LOG_LEVELS, type LogLevelName } from '@app/contracts';
import type { Theme } from './theme';

/** Chart colours of the levels (the CSS badge colours, strong enough to read as bars). */
export const LEVEL_CHART_COLORS: Record<Theme, Record<LogLevelName, string>> = {
  light: {
    emergency: '#7a1414',
    alert: '#b01c1c',
    critical: '#dc3a2f',
    error: '#e5533d',
    warning: '#e0a100',
    notice: '#4f86e8',
    info: '#5fb785',
    debug: '#a3abb8',
  },
  dark: {
    emergency: '#d64545',
    alert: '#e35d4f',
    critical: '#f0725f',
    error: '#f48a74',
    warning: '#e8b53f',
    notice: '#6f9ff5',
    info: '#4fbf80',
    debug: '#6d7686',
  },
};

/** Levels at error or worse (syslog severity ≤ 3). */
export const ERROR_LEVELS: readonly LogLevelName[] = LOG_LEVELS.slice(0, 4);

export function isLevel(value: string): value is LogLevelName {
  return (LOG_LEVELS as readonly string[]).includes(value);
}
