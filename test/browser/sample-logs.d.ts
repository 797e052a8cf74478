/** Realistic sample lines by source (see sample-logs.js). */
export function sampleLogs(options?: {
  now?: number;
  hours?: number;
  count?: number;
  seed?: number;
}): Record<string, string[]>;
