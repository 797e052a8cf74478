import { Counter } from 'prom-client';

/** Lines accepted (durably enqueued) by the api, per source. */
export const ingestedLines = new Counter({
  name: 'lookout_ingest_lines_total',
  help: 'Log lines accepted and enqueued, by source',
  labelNames: ['source'] as const,
});

/** Lines refused at the door (malformed NDJSON, wrong element type), per source. */
export const rejectedLines = new Counter({
  name: 'lookout_ingest_rejected_lines_total',
  help: 'Log lines refused at ingest, by source',
  labelNames: ['source'] as const,
});
