import { Logger } from '@nestjs/common';
import { Client } from 'pg';

/**
 * Which api process of a host tails its files: the one holding a session advisory lock named after
 * the host, on a connection of its own (it goes when that process or connection dies, and another
 * process takes over at its next reconcile). Several api processes (API_PROCESSES, or replicas on
 * one machine) would otherwise all read the same files: stored once thanks to the byte ranges, but
 * read, queued and parsed N times.
 */
export class HostTailingLock {
  private readonly logger = new Logger(HostTailingLock.name);
  private client: Client | undefined;
  private held = false;

  constructor(
    private readonly databaseUrl: string,
    private readonly host: string,
    /** Called when a held lock is lost with its connection: stop tailing. */
    private readonly onLost: () => void,
  ) {}

  /** True if this process holds the lock (taking it if free). */
  async acquire(): Promise<boolean> {
    if (this.held) return true;
    if (!this.client) {
      const client = new Client({ connectionString: this.databaseUrl });
      client.on('error', (error) => this.lose(client, error.message));
      client.on('end', () => this.lose(client, 'connection closed'));
      await client.connect();
      this.client = client;
    }
    const { rows } = await this.client.query<{ taken: boolean }>(
      'SELECT pg_try_advisory_lock(hashtext($1)) AS taken',
      [`lookout:file-tail:${this.host}`],
    );
    this.held = rows[0].taken;
    return this.held;
  }

  /** Gives the lock up (closing its connection releases it). */
  async release(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.held = false;
    await client?.end().catch(() => undefined);
  }

  private lose(client: Client, reason: string): void {
    if (client !== this.client) return;
    this.client = undefined;
    if (!this.held) return;
    this.held = false;
    this.logger.warn(`Lost the file-tailing lock of ${this.host} (${reason}); tailing stops`);
    this.onLost();
  }
}
