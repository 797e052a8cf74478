/** `${dev}:${ino}`: one file on one device, whatever its name. */
export function inodeOf(stats: { dev: bigint; ino: bigint }): string {
  return `${stats.dev}:${stats.ino}`;
}

export function fileKeyOf(inode: string, generation: number): string {
  return `${inode}:${generation}`;
}

/** Splits a fileKey into its inode and generation; undefined for anything else. */
export function parseFileKey(fileKey: string): { inode: string; generation: number } | undefined {
  const match = /^(\d+:\d+):(\d+)$/.exec(fileKey);
  return match ? { inode: match[1], generation: Number(match[2]) } : undefined;
}
