import type { LookupAddress } from 'node:dns';
import {
  embeddedIpv4,
  specialRange,
  WebhookTargetPolicy,
  WebhookTargetRefused,
} from './webhook-target-policy';

/** A resolver with fixed answers: the policy is judged on addresses, not on this machine's DNS. */
const resolver = (answers: Record<string, string[]>) => async (host: string) => {
  const addresses = answers[host];
  if (!addresses) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
  return addresses.map((address): LookupAddress => ({
    address,
    family: address.includes(':') ? 6 : 4,
  }));
};

const dns = resolver({
  'hooks.example.com': ['93.184.216.34'],
  'internal.example.com': ['10.1.2.3'],
  'mixed.example.com': ['93.184.216.34', '192.168.1.10'],
  'metadata.example.com': ['169.254.169.254'],
  'v6.example.com': ['2606:4700::1111'],
  'ula.example.com': ['fd12:3456::1'],
  'mapped.example.com': ['::ffff:127.0.0.1'],
  'ci.corp.example': ['10.9.9.9'],
});

async function refusal(policy: WebhookTargetPolicy, url: string): Promise<string> {
  try {
    await policy.check(new URL(url));
  } catch (error) {
    expect(error).toBeInstanceOf(WebhookTargetRefused);
    return (error as Error).message;
  }
  throw new Error(`${url} was allowed`);
}

describe('webhook target policy', () => {
  it('knows the non-public ranges, IPv4 inside IPv6 included', () => {
    expect(specialRange('127.0.0.1')).toBe('loopback');
    expect(specialRange('10.0.0.1')).toBe('private');
    expect(specialRange('172.31.255.255')).toBe('private');
    expect(specialRange('172.32.0.1')).toBeNull();
    expect(specialRange('192.168.0.1')).toBe('private');
    expect(specialRange('100.64.0.1')).toBe('carrier-grade NAT');
    expect(specialRange('169.254.169.254')).toBe('link-local (cloud metadata)');
    expect(specialRange('224.0.0.251')).toBe('multicast');
    expect(specialRange('255.255.255.255')).toBe('reserved or broadcast');
    expect(specialRange('0.0.0.0')).toBe('"this network"');
    expect(specialRange('8.8.8.8')).toBeNull();
    expect(specialRange('::1')).toBe('loopback, unspecified or IPv4-compatible');
    expect(specialRange('::')).toBe('loopback, unspecified or IPv4-compatible');
    expect(specialRange('fe80::1%eth0')).toBe('link-local');
    expect(specialRange('fd00::1')).toBe('unique local (ULA)');
    expect(specialRange('ff02::1')).toBe('multicast');
    expect(specialRange('2606:4700::1111')).toBeNull();
    expect(specialRange('::ffff:127.0.0.1')).toBe('loopback');
    expect(specialRange('::ffff:7f00:1')).toBe('loopback');
    expect(specialRange('64:ff9b::10.0.0.1')).toBe('private');
    expect(specialRange('2002:c0a8:0101::1')).toBe('private');
    expect(specialRange('::ffff:8.8.8.8')).toBeNull();
    expect(embeddedIpv4('::ffff:192.0.2.1')).toBe('192.0.2.1');
  });

  it('allows public hosts and addresses', async () => {
    const policy = new WebhookTargetPolicy([], [], dns);
    await expect(policy.check(new URL('https://hooks.example.com/x'))).resolves.toHaveLength(1);
    await expect(policy.check(new URL('https://v6.example.com/x'))).resolves.toHaveLength(1);
    await expect(policy.check(new URL('http://93.184.216.34:8080/'))).resolves.toHaveLength(1);
  });

  it('refuses private, loopback, link-local, ULA and mapped addresses, by name or literal', async () => {
    const policy = new WebhookTargetPolicy([], [], dns);
    expect(await refusal(policy, 'http://127.0.0.1:9000/hook')).toBe(
      '127.0.0.1 is not a public address (loopback); add the host, address or range to WEBHOOK_ALLOW to call it',
    );
    expect(await refusal(policy, 'http://[::1]/')).toContain(
      '::1 is not a public address (loopback',
    );
    expect(await refusal(policy, 'http://internal.example.com/')).toContain(
      '10.1.2.3 (internal.example.com) is not a public address (private)',
    );
    expect(await refusal(policy, 'http://metadata.example.com/latest')).toContain('link-local');
    expect(await refusal(policy, 'http://ula.example.com/')).toContain('unique local');
    expect(await refusal(policy, 'http://mapped.example.com/')).toContain('loopback');
    // One private address among public ones is enough to refuse (the socket may pick it).
    expect(await refusal(policy, 'http://mixed.example.com/')).toContain('192.168.1.10');
    expect(await refusal(policy, 'http://nowhere.example.com/')).toBe(
      'cannot resolve "nowhere.example.com": ENOTFOUND',
    );
  });

  it('WEBHOOK_ALLOW lets hosts, addresses and ranges through; WEBHOOK_DENY always refuses', async () => {
    const policy = new WebhookTargetPolicy(
      ['127.0.0.1', '*.corp.example', '192.168.0.0/16', 'internal.example.com'],
      ['hooks.example.com', '10.9.0.0/16'],
      dns,
    );
    await expect(policy.check(new URL('http://127.0.0.1:9000/'))).resolves.toBeDefined();
    await expect(policy.check(new URL('http://mapped.example.com/'))).resolves.toBeDefined();
    await expect(policy.check(new URL('http://mixed.example.com/'))).resolves.toBeDefined();
    await expect(policy.check(new URL('http://internal.example.com/'))).resolves.toBeDefined();
    expect(await refusal(policy, 'http://127.0.0.2/')).toContain('loopback');
    expect(await refusal(policy, 'https://hooks.example.com/')).toBe(
      '"hooks.example.com" is in WEBHOOK_DENY',
    );
    // Denied even though its name matches an allowed wildcard.
    expect(await refusal(policy, 'http://ci.corp.example/')).toBe(
      '10.9.9.9 (ci.corp.example) is in WEBHOOK_DENY',
    );
  });

  it('checks at connection time through the socket lookup', async () => {
    const policy = new WebhookTargetPolicy([], [], dns);
    const lookup = (host: string, all: boolean) =>
      new Promise<unknown>((resolve, reject) =>
        policy.lookup(host, { all }, (error, address) =>
          error ? reject(error) : resolve(address),
        ),
      );
    await expect(lookup('hooks.example.com', false)).resolves.toBe('93.184.216.34');
    await expect(lookup('hooks.example.com', true)).resolves.toEqual([
      { address: '93.184.216.34', family: 4 },
    ]);
    await expect(lookup('internal.example.com', false)).rejects.toThrow('(private)');
  });
});
