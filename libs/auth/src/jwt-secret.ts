import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';

/** The key that signs access tokens: JWT_SECRET, or one generated at first start and kept in `settings`. */
export class JwtSecret {
  constructor(readonly value: string) {}

  static async resolve(configured: string | undefined, dataSource: DataSource): Promise<JwtSecret> {
    if (configured) return new JwtSecret(configured);
    // Every api process must share one secret: the first one to start stores it.
    await dataSource.query(
      `INSERT INTO settings (key, value) VALUES ('jwt_secret', $1) ON CONFLICT (key) DO NOTHING`,
      [randomBytes(48).toString('base64url')],
    );
    const rows: { value: string }[] = await dataSource.query(
      `SELECT value FROM settings WHERE key = 'jwt_secret'`,
    );
    return new JwtSecret(rows[0].value);
  }
}
