import { isStorageUnavailable, StoreHealth } from './store-health';

const pgError = (code: string, message = 'error') => Object.assign(new Error(message), { code });

describe('isStorageUnavailable', () => {
  it('is true for a database that cannot write now', () => {
    expect(
      isStorageUnavailable(pgError('53100', 'could not extend file: No space left on device')),
    ).toBe(true);
    expect(
      isStorageUnavailable(pgError('57P01', 'terminating connection due to administrator command')),
    ).toBe(true);
    expect(isStorageUnavailable(pgError('57P03', 'the database system is starting up'))).toBe(true);
    expect(isStorageUnavailable(pgError('08006'))).toBe(true);
    expect(
      isStorageUnavailable(pgError('25006', 'cannot execute COPY FROM in a read-only transaction')),
    ).toBe(true);
    expect(isStorageUnavailable(pgError('42501', 'permission denied for table logs'))).toBe(true);
    expect(isStorageUnavailable(pgError('58030', 'could not write to file'))).toBe(true);
    expect(
      isStorageUnavailable(pgError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432')),
    ).toBe(true);
    expect(isStorageUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isStorageUnavailable(new Error('timeout exceeded when trying to connect'))).toBe(true);
    // Wrapped by TypeORM or with a cause.
    expect(isStorageUnavailable({ message: 'query failed', driverError: pgError('53100') })).toBe(
      true,
    );
    expect(isStorageUnavailable(new Error('write failed', { cause: pgError('57P01') }))).toBe(true);
  });

  it('is false for a problem of the batch itself (retrying later cannot fix it)', () => {
    expect(isStorageUnavailable(pgError('22P02', 'invalid input syntax for type bigint'))).toBe(
      false,
    );
    expect(
      isStorageUnavailable(pgError('23505', 'duplicate key value violates unique constraint')),
    ).toBe(false);
    expect(isStorageUnavailable(pgError('23514', 'new row violates check constraint'))).toBe(false);
    expect(isStorageUnavailable(pgError('40P01', 'deadlock detected'))).toBe(false);
    expect(
      isStorageUnavailable(new TypeError("Cannot read properties of undefined (reading 'x')")),
    ).toBe(false);
    expect(isStorageUnavailable(undefined)).toBe(false);
    expect(isStorageUnavailable('a string')).toBe(false);
  });
});

describe('StoreHealth', () => {
  const logger = { warn: jest.fn(), log: jest.fn() };

  it('pauses once, probes until storage writes, then resumes', async () => {
    const calls: string[] = [];
    let failuresLeft = 3;
    let resumed!: () => void;
    const done = new Promise<void>((resolve) => (resumed = resolve));
    const health = new StoreHealth({
      probe: async () => {
        calls.push('probe');
        if (failuresLeft-- > 0) throw new Error('still down');
      },
      pause: async () => void calls.push('pause'),
      resume: async () => {
        calls.push('resume');
        resumed();
      },
      logger,
      minDelayMs: 1,
      maxDelayMs: 4,
    });
    health.reportUnavailable(new Error('disk full'));
    health.reportUnavailable(new Error('disk full')); // a second failing job: already handled
    expect(health.isDown).toBe(true);
    await done;
    expect(calls).toEqual(['pause', 'probe', 'probe', 'probe', 'probe', 'resume']);
    expect(health.isDown).toBe(false);
    // Down again later: handled again.
    failuresLeft = 0;
    const again = new Promise<void>((resolve) => (resumed = resolve));
    health.reportUnavailable(new Error('connection lost'));
    await again;
    expect(calls.slice(6)).toEqual(['pause', 'probe', 'resume']);
  });

  it('backs off exponentially with jitter, up to the cap', () => {
    const health = new StoreHealth({
      probe: async () => undefined,
      pause: async () => undefined,
      resume: async () => undefined,
      logger,
      minDelayMs: 500,
      maxDelayMs: 30_000,
      random: () => 1,
    });
    expect([1, 2, 3, 4].map((attempt) => health.probeDelayMs(attempt))).toEqual([
      500, 1000, 2000, 4000,
    ]);
    expect(health.probeDelayMs(20)).toBe(30_000);
  });

  it('stops probing on shutdown', async () => {
    let probes = 0;
    const health = new StoreHealth({
      probe: async () => {
        probes++;
        throw new Error('down');
      },
      pause: async () => undefined,
      resume: async () => {
        throw new Error('must not resume');
      },
      logger,
      minDelayMs: 60_000,
    });
    health.reportUnavailable(new Error('down'));
    health.stop();
    await new Promise((resolve) => setImmediate(resolve));
    expect(probes).toBe(0);
    health.reportUnavailable(new Error('down')); // stopped: ignored
    expect(probes).toBe(0);
  });
});
