import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { Checkpoint } from '@app/tailer';
import { writeFileAtomic } from './atomic-write';

const OFFSETS_FILE = 'offsets.json';
const LOCK_FILE = 'agent.pid';

function isCheckpoint(value: unknown): value is Checkpoint {
  const candidate = value as Checkpoint;
  return (
    typeof candidate?.fileKey === 'string' &&
    typeof candidate.path === 'string' &&
    Number.isInteger(candidate.offset)
  );
}

/** The offsets saved by the last run; none on a first start. */
export async function loadOffsets(stateDir: string): Promise<Checkpoint[]> {
  const file = path.join(stateDir, OFFSETS_FILE);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const saved = JSON.parse(text) as { checkpoints?: unknown };
  if (!Array.isArray(saved.checkpoints)) throw new Error(`${file} holds no checkpoints list`);
  return saved.checkpoints.filter(isCheckpoint);
}

export function saveOffsets(stateDir: string, checkpoints: Checkpoint[]): Promise<void> {
  const text = JSON.stringify({ version: 1, checkpoints }, null, 2);
  return writeFileAtomic(path.join(stateDir, OFFSETS_FILE), `${text}\n`);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Claims the state directory: two agents sharing offsets and a buffer would send lines twice.
 * A lock left by an agent that is no longer running is taken over. Resolves to the release.
 */
export async function lockStateDir(stateDir: string): Promise<() => Promise<void>> {
  const file = path.join(stateDir, LOCK_FILE);
  const release = () => fs.rm(file, { force: true });
  try {
    await fs.writeFile(file, `${process.pid}\n`, { flag: 'wx' });
    return release;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const pid = Number((await fs.readFile(file, 'utf8').catch(() => '')).trim());
  // Our own pid is stale too: in a container every run is pid 1.
  if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isRunning(pid)) {
    throw new Error(`${stateDir} is used by another agent (pid ${pid}); if not, delete ${file}`);
  }
  await fs.writeFile(file, `${process.pid}\n`);
  return release;
}
