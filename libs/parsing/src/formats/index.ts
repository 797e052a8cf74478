// Built-in log formats: one file each, listed in registry.ts.
export type { FormatContext, LogFormat } from './log-format';
export {
  BUILT_IN_FORMATS,
  FORMAT_NAMES,
  detectFormat,
  findFormat,
  parseWithFormat,
} from './registry';
