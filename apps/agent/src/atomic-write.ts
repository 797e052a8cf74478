import * as fs from 'node:fs/promises';

/**
 * Replaces `file` with `data` in one step: written and synced to a temporary file, then renamed
 * over it, so a crash leaves the old content or the new one, never a torn file.
 */
export async function writeFileAtomic(file: string, data: string | Buffer): Promise<void> {
  const temporary = `${file}.tmp`;
  const handle = await fs.open(temporary, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.rename(temporary, file);
}
