import { loadConfig } from '@app/config';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Client } from 'pg';
import { importArchive, verifyArchive } from './archive-import';
import { MANIFEST_SUFFIX } from './archive-writer';

const USAGE = `Usage: npm run archive:import -- [--verify-only] [--database-url URL] <manifest.json | archive dir> ...

Re-imports retention archives (ARCHIVE_DIR) into the logs table. Each archive's checksum is
verified first; importing an archive twice does nothing the second time. A directory imports
every archive in it. The database is DATABASE_URL unless --database-url is given.`;

interface Output {
  write(text: string): unknown;
}

/** The archive import command. Returns the exit code: 0 all done, 1 an archive failed, 2 usage. */
export async function main(
  argv: string[],
  env: Record<string, string | undefined> = process.env,
  out: Output = process.stdout,
): Promise<number> {
  let verifyOnly = false;
  let databaseUrl: string | undefined;
  const paths: string[] = [];
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index];
    if (arg === '--verify-only') verifyOnly = true;
    else if (arg === '--database-url') databaseUrl = argv[++index];
    else if (arg === '--help' || arg === '-h') {
      out.write(`${USAGE}\n`);
      return 0;
    } else if (arg.startsWith('-')) {
      out.write(`Unknown option ${arg}\n${USAGE}\n`);
      return 2;
    } else paths.push(arg);
  }
  if (paths.length === 0 || (argv.includes('--database-url') && !databaseUrl)) {
    out.write(`${USAGE}\n`);
    return 2;
  }

  const manifests: string[] = [];
  for (const path of paths) {
    const isDirectory = await stat(path)
      .then((info) => info.isDirectory())
      .catch(() => false);
    if (!isDirectory) {
      manifests.push(path);
      continue;
    }
    const names = (await readdir(path)).filter((name) => name.endsWith(MANIFEST_SUFFIX)).sort();
    manifests.push(...names.map((name) => join(path, name)));
  }

  let failed = 0;
  const client = verifyOnly
    ? undefined
    : new Client({ connectionString: databaseUrl ?? loadConfig(env).databaseUrl });
  await client?.connect();
  try {
    for (const manifest of manifests) {
      try {
        const result = verifyOnly
          ? { manifest, verified: true, rows: (await verifyArchive(manifest)).rows }
          : await importArchive(client!, manifest);
        out.write(`${JSON.stringify(result)}\n`);
      } catch (error) {
        failed++;
        out.write(`${JSON.stringify({ manifest, error: (error as Error).message })}\n`);
      }
    }
  } finally {
    await client?.end();
  }
  return failed > 0 ? 1 : 0;
}
