/**
 * Whether a line survives `keepOneIn`: FNV-1a of the raw line (UTF-16 code units), then the
 * murmur3 finaliser so every bit depends on every character (FNV-1a alone has weak low bits, and
 * the remainder reads exactly those). Deterministic: the same line always gets the same answer,
 * so tests and replays are stable, and identical lines are kept or dropped together. `salt`
 * (the step index) makes two sample steps independent instead of dropping the same lines.
 */
export function keepsSample(line: string, keepOneIn: number, salt: number): boolean {
  return hashLine(line, salt) % keepOneIn === 0;
}

export function hashLine(line: string, salt = 0): number {
  let hash = 0x811c9dc5 ^ salt;
  for (let i = 0; i < line.length; i++) hash = Math.imul(hash ^ line.charCodeAt(i), 0x01000193);
  hash = Math.imul(hash ^ (hash >>> 16), 0x85ebca6b);
  hash = Math.imul(hash ^ (hash >>> 13), 0xc2b2ae35);
  return (hash ^ (hash >>> 16)) >>> 0;
}
