import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor, type TestEnv } from './test-env';

const ROOT = join(__dirname, '..', '..');

/** A primary process started with API_PROCESSES=N (apps/api/src/main.ts, no dist/ needed). */
export interface LaunchedApiCluster {
  primary: ChildProcess;
  /** Everything the primary and its processes wrote so far. */
  output(): string;
  /** Resolves with the primary's exit code or signal, once it has exited. */
  exited: Promise<number | string>;
}

/**
 * The api as it runs in production with API_PROCESSES=N: a real primary process (compiled on load
 * by register-ts.cjs) and the N api processes it forks, sharing one port, all listening. Which
 * process holds a connection is read from /proc (Linux).
 */
export interface ApiCluster extends LaunchedApiCluster {
  baseUrl: string;
  port: number;
  /** Pids of the api processes alive now (the primary's children). */
  processPids(): number[];
  /** Pid of the api process holding the server end of the connection from this local port. */
  ownerOf(localPort: number): number | undefined;
  /** SIGTERM to the primary; resolves with how it exited. */
  stop(): Promise<number | string>;
}

/** Starts the primary without waiting for it (a start meant to fail, or startApiCluster). */
export function launchApiCluster(
  testEnv: TestEnv,
  processes: number,
  env: Record<string, string> = {},
): LaunchedApiCluster {
  const primary = spawn(
    process.execPath,
    ['-r', join(ROOT, 'test/support/register-ts.cjs'), join(ROOT, 'apps/api/src/main.ts')],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        ...testEnv.env,
        API_PROCESSES: String(processes),
        // The primary announces its port in a JSON line; the processes' lines show their pid.
        LOG_FORMAT: 'json',
        LOG_LEVEL: 'log',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  primary.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  primary.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<number | string>((resolve) =>
    primary.once('exit', (code, signal) => resolve(signal ?? code ?? -1)),
  );
  return { primary, output: () => output, exited };
}

/** Starts the primary and resolves once all its api processes listen. */
export async function startApiCluster(testEnv: TestEnv, processes: number): Promise<ApiCluster> {
  const { primary, output, exited } = launchApiCluster(testEnv, processes);
  let exitedEarly = false;
  void exited.then(() => (exitedEarly = true));

  const port = (await waitFor(
    async () => {
      if (exitedEarly) throw new Error('the api cluster exited while starting');
      return announcedPort(output());
    },
    'the api cluster to listen',
    120_000,
    100,
  ).catch((error: Error) => {
    primary.kill('SIGKILL');
    throw new Error(`${error.message}; its output:\n${output()}`);
  })) as number;

  const processPids = () => childPids(primary.pid!);
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    port,
    primary,
    processPids,
    ownerOf: (localPort) => socketOwner(port, localPort, processPids()),
    output,
    exited,
    async stop() {
      if (primary.exitCode === null && primary.signalCode === null) primary.kill('SIGTERM');
      return exited;
    },
  };
}

/** The port in the primary's "api listening with N processes" line, once it is written. */
function announcedPort(output: string): number | undefined {
  for (const line of output.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const entry = JSON.parse(line) as { context?: string; port?: number };
      if (entry.context === 'ApiCluster' && typeof entry.port === 'number') return entry.port;
    } catch {
      // a line cut in the middle: read again on the next poll
    }
  }
  return undefined;
}

function childPids(parent: number): number[] {
  const children: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // pid (comm) state ppid …; comm may hold spaces and parentheses, so split after the last ')'.
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(ppid) === parent && state !== 'Z') children.push(Number(name));
    } catch {
      // the process ended while we looked
    }
  }
  return children.sort((a, b) => a - b);
}

/**
 * /proc/net/tcp has the server end of the connection (local port = server port, remote port =
 * the client's), with its socket inode; the process that has that inode among its descriptors
 * holds the connection.
 */
function socketOwner(serverPort: number, clientPort: number, pids: number[]): number | undefined {
  const hex = (port: number) => port.toString(16).toUpperCase().padStart(4, '0');
  let inode: string | undefined;
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 10) continue;
      if (fields[1].endsWith(`:${hex(serverPort)}`) && fields[2].endsWith(`:${hex(clientPort)}`)) {
        inode = fields[9];
      }
    }
  }
  if (!inode || inode === '0') return undefined;
  const target = `socket:[${inode}]`;
  for (const pid of pids) {
    try {
      for (const fd of readdirSync(`/proc/${pid}/fd`)) {
        if (readlinkSync(`/proc/${pid}/fd/${fd}`) === target) return pid;
      }
    } catch {
      // gone, or a descriptor closed while we read
    }
  }
  return undefined;
}
