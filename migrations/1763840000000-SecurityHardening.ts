import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sign-in sessions with rotating refresh tokens, API key scopes and source restriction, and the
 * users' password/login times. Existing API keys keep what they could do: ingest and read.
 */
export class SecurityHardening1763840000000 implements MigrationInterface {
  name = 'SecurityHardening1763840000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE api_keys
        ADD COLUMN scopes text[] NOT NULL DEFAULT '{ingest,read}'
          CHECK (cardinality(scopes) > 0 AND scopes <@ ARRAY['ingest', 'read', 'admin']),
        ADD COLUMN source text CHECK (source ~ '^[A-Za-z0-9_.:/@-]{1,128}$')`);
    // The default only served the existing rows: a new key always states its scopes.
    await queryRunner.query(`ALTER TABLE api_keys ALTER COLUMN scopes DROP DEFAULT`);

    await queryRunner.query(`
      ALTER TABLE users
        ADD COLUMN password_changed_at timestamptz,
        ADD COLUMN last_login_at timestamptz`);

    // One sign-in: the family of refresh tokens that descend from one login. Access tokens carry
    // the session id, so revoking the session ends them too.
    await queryRunner.query(`
      CREATE TABLE auth_sessions (
        id                 uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id            uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        created_at         timestamptz NOT NULL DEFAULT now(),
        last_refreshed_at  timestamptz NOT NULL DEFAULT now(),
        -- No refresh past this time, however often the session is refreshed.
        expires_at         timestamptz NOT NULL,
        revoked_at         timestamptz,
        revoked_reason     text,
        ip                 text,
        user_agent         text
      )`);
    await queryRunner.query(
      `CREATE INDEX auth_sessions_user_idx ON auth_sessions (user_id) WHERE revoked_at IS NULL`,
    );
    await queryRunner.query(`
      CREATE TABLE refresh_tokens (
        -- SHA-256 of the token: tokens are long random strings, the hash is the lookup key.
        token_hash  text        PRIMARY KEY,
        session_id  uuid        NOT NULL REFERENCES auth_sessions (id) ON DELETE CASCADE,
        created_at  timestamptz NOT NULL DEFAULT now(),
        expires_at  timestamptz NOT NULL,
        -- Set when the token is exchanged; a second use is a replay and revokes the session.
        used_at     timestamptz
      )`);
    await queryRunner.query(
      `CREATE INDEX refresh_tokens_session_idx ON refresh_tokens (session_id)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE refresh_tokens`);
    await queryRunner.query(`DROP TABLE auth_sessions`);
    await queryRunner.query(
      `ALTER TABLE users DROP COLUMN last_login_at, DROP COLUMN password_changed_at`,
    );
    await queryRunner.query(`ALTER TABLE api_keys DROP COLUMN source, DROP COLUMN scopes`);
  }
}
