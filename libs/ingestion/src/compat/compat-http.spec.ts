import type { IncomingHttpHeaders } from 'node:http';
import { apiKeyFromShipperAuthorization } from './compat-http';
import { sourceFromName, sourceParam } from './compat-source';

const key = 'lk_AbCdEf0123456789';
const translated = (authorization: string, extra: IncomingHttpHeaders = {}) => {
  const headers: IncomingHttpHeaders = { authorization, ...extra };
  apiKeyFromShipperAuthorization(headers);
  return headers['x-api-key'];
};
const b64 = (text: string) => Buffer.from(text).toString('base64');

describe('shipper credentials', () => {
  it('hands an API key sent as a Basic password or an ApiKey header to the guard', () => {
    expect(translated(`Basic ${b64(`fluentbit:${key}`)}`)).toBe(key);
    expect(translated(`Basic ${b64(`:${key}`)}`)).toBe(key);
    expect(translated(`ApiKey ${b64(`lookout:${key}`)}`)).toBe(key);
    expect(translated(`apikey ${key}`)).toBe(key);
  });

  it('leaves everything else alone', () => {
    expect(translated(`Basic ${b64('admin:secret')}`)).toBeUndefined();
    expect(translated(`Bearer ${key}`)).toBeUndefined();
    expect(translated(`Basic ${b64(`u:${key}`)}`, { 'x-api-key': 'lk_other' })).toBe('lk_other');
    expect(translated(`Basic ${b64('u:lk_bad key')}`)).toBeUndefined();
  });
});

describe('compat source names', () => {
  it('checks ?source= like /api/v1/ingest and cleans names chosen by shippers', () => {
    expect(sourceParam(undefined)).toBeUndefined();
    expect(sourceParam('web-1')).toBe('web-1');
    expect(() => sourceParam('bad source')).toThrow();
    expect(() => sourceParam(['a', 'b'])).toThrow();
    expect(sourceFromName('<logs-{now/d}>')).toBe('_logs-_now/d__');
    expect(sourceFromName('  ')).toBeUndefined();
    expect(sourceFromName('x'.repeat(300))).toHaveLength(128);
  });
});
