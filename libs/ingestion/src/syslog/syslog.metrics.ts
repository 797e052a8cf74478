import { Counter, Gauge } from 'prom-client';
import { readFileSync } from 'node:fs';

export const syslogMessages = new Counter({
  name: 'lookout_syslog_messages_total',
  help: 'Syslog messages received, by transport (udp, tcp, tls)',
  labelNames: ['transport'] as const,
});

export const syslogTruncated = new Counter({
  name: 'lookout_syslog_truncated_total',
  help: 'Syslog messages longer than SYSLOG_MAX_MESSAGE_BYTES, cut and flagged',
});

export const syslogLost = new Counter({
  name: 'lookout_syslog_lost_total',
  help: 'Syslog messages received but not enqueued (Redis unreachable; UDP: the api too far behind its receiver thread), by transport',
  labelNames: ['transport'] as const,
});

export const syslogConnections = new Gauge({
  name: 'lookout_syslog_tcp_connections',
  help: 'Open syslog TCP/TLS connections',
});

/** UDP ports of this process's syslog listeners, whose kernel drops are reported. */
export const udpPortsWatched = new Set<number>();

export const udpKernelDropsGauge = new Gauge({
  name: 'lookout_syslog_udp_kernel_drops',
  help: 'Datagrams dropped by the kernel on the syslog UDP socket (receive buffer full)',
  // With API_PROCESSES > 1 every process reads the drops of the one shared socket: not a sum.
  aggregator: 'max',
  collect() {
    let drops = 0;
    for (const port of udpPortsWatched) drops += udpKernelDrops(port) ?? 0;
    this.set(drops);
  },
});

/**
 * Datagrams the kernel dropped on our UDP socket because its receive buffer was full: the `drops`
 * column of /proc/net/udp for the socket's port (Linux). Undefined elsewhere.
 */
export function udpKernelDrops(port: number): number | undefined {
  let total: number | undefined;
  for (const file of ['/proc/net/udp', '/proc/net/udp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const columns = line.trim().split(/\s+/);
      const local = columns[1];
      if (!local || parseInt(local.split(':')[1], 16) !== port) continue;
      total = (total ?? 0) + Number(columns[columns.length - 1]);
    }
  }
  return total;
}
