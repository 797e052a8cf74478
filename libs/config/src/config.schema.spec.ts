import { ConfigError, loadConfig } from './config.schema';

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig({});
    expect(config.port).toBe(8080);
    expect(config.syslogPort).toBe(5514);
    expect(config.databaseUrl).toBe('postgres://postgres@127.0.0.1:5432/lookout');
    expect(config.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(config.adminPassword).toBeUndefined();
  });

  it('reads given values', () => {
    const config = loadConfig({ PORT: '9000', SYSLOG_PORT: '1514', ADMIN_PASSWORD: 'long-enough' });
    expect(config.port).toBe(9000);
    expect(config.syslogPort).toBe(1514);
    expect(config.adminPassword).toBe('long-enough');
  });

  it('names every bad variable at once', () => {
    try {
      loadConfig({
        PORT: 'eighty',
        REDIS_URL: 'http://x',
        DATABASE_URL: 'not a url',
        ADMIN_PASSWORD: 'short',
      });
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const message = (error as Error).message;
      expect(message).toContain('PORT must be a whole number from 0 to 65535 (got "eighty")');
      expect(message).toContain('REDIS_URL must be a redis: or rediss:// URL');
      expect(message).toContain('DATABASE_URL is not a valid URL');
      expect(message).toContain('ADMIN_PASSWORD must be at least 8 characters');
    }
  });

  it('refuses a port out of range', () => {
    expect(() => loadConfig({ PORT: '70000' })).toThrow(/PORT must be a whole number/);
  });
});
