import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/** A webhook target Lookout will not call; the message says why and how to allow it. */
export class WebhookTargetRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookTargetRefused';
  }
}

type Family = 'ipv4' | 'ipv6';

/** Address ranges that are not the public internet: loopback, private, link-local, CGNAT… */
const SPECIAL_RANGES: [string, string, number, Family][] = [
  ['"this network"', '0.0.0.0', 8, 'ipv4'],
  ['private', '10.0.0.0', 8, 'ipv4'],
  ['carrier-grade NAT', '100.64.0.0', 10, 'ipv4'],
  ['loopback', '127.0.0.0', 8, 'ipv4'],
  ['link-local (cloud metadata)', '169.254.0.0', 16, 'ipv4'],
  ['private', '172.16.0.0', 12, 'ipv4'],
  ['IETF protocol assignments', '192.0.0.0', 24, 'ipv4'],
  ['documentation', '192.0.2.0', 24, 'ipv4'],
  ['6to4 relay', '192.88.99.0', 24, 'ipv4'],
  ['private', '192.168.0.0', 16, 'ipv4'],
  ['benchmarking', '198.18.0.0', 15, 'ipv4'],
  ['documentation', '198.51.100.0', 24, 'ipv4'],
  ['documentation', '203.0.113.0', 24, 'ipv4'],
  ['multicast', '224.0.0.0', 4, 'ipv4'],
  ['reserved or broadcast', '240.0.0.0', 4, 'ipv4'],
  ['loopback, unspecified or IPv4-compatible', '::', 96, 'ipv6'],
  ['discard-only', '100::', 64, 'ipv6'],
  ['local NAT64', '64:ff9b:1::', 48, 'ipv6'],
  ['documentation', '2001:db8::', 32, 'ipv6'],
  ['unique local (ULA)', 'fc00::', 7, 'ipv6'],
  ['link-local', 'fe80::', 10, 'ipv6'],
  ['site-local', 'fec0::', 10, 'ipv6'],
  ['multicast', 'ff00::', 8, 'ipv6'],
];

const specialRanges = SPECIAL_RANGES.map(([name, network, prefix, family]) => {
  const list = new BlockList();
  list.addSubnet(network, prefix, family);
  return { name, list, family };
});

/** An IPv6 address as 8 16-bit groups (zone id dropped), or null when it is not one. */
function ipv6Groups(address: string): number[] | null {
  let text = address.split('%')[0];
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const bytes = dotted[1].split('.').map(Number);
    text = `${text.slice(0, -dotted[1].length)}${((bytes[0] << 8) | bytes[1]).toString(16)}:${((bytes[2] << 8) | bytes[3]).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 1 && missing !== 0) || missing < 0) return null;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  const numbers = groups.map((group) => parseInt(group, 16));
  return numbers.length === 8 && numbers.every((n) => Number.isInteger(n) && n >= 0 && n <= 0xffff)
    ? numbers
    : null;
}

/**
 * The IPv4 address an IPv6 address carries (IPv4-mapped ::ffff:a.b.c.d, NAT64 64:ff9b::/96,
 * 6to4 2002::/16), so `::ffff:127.0.0.1` is judged as 127.0.0.1.
 */
export function embeddedIpv4(address: string): string | null {
  const g = ipv6Groups(address);
  if (!g) return null;
  const v4 = (high: number, low: number) =>
    [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
  const zeros = (from: number, to: number) => g.slice(from, to).every((n) => n === 0);
  if (zeros(0, 5) && g[5] === 0xffff) return v4(g[6], g[7]);
  if (g[0] === 0x64 && g[1] === 0xff9b && zeros(2, 6)) return v4(g[6], g[7]);
  if (g[0] === 0x2002) return v4(g[1], g[2]);
  return null;
}

/** The address in the form ranges are checked in: an IPv4 inside an IPv6 address comes out. */
function canonical(address: string): { address: string; family: Family } {
  const family: Family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
  if (family === 'ipv6') {
    const inner = embeddedIpv4(address);
    if (inner) return { address: inner, family: 'ipv4' };
    return { address: address.split('%')[0], family };
  }
  return { address, family };
}

/** Which non-public range an address is in, or null for a public address. */
export function specialRange(address: string): string | null {
  const { address: ip, family } = canonical(address);
  for (const range of specialRanges)
    if (range.family === family && range.list.check(ip, family)) return range.name;
  return null;
}

/** Host names (exact or `*.example.com`), IPs and CIDRs from WEBHOOK_ALLOW / WEBHOOK_DENY. */
class TargetList {
  private readonly addresses = new BlockList();
  private readonly hosts = new Set<string>();
  private readonly suffixes: string[] = [];

  constructor(entries: string[]) {
    for (const raw of entries) {
      const entry = raw
        .trim()
        .toLowerCase()
        .replace(/^\[|\]$/g, '');
      if (!entry) continue;
      const [network, prefix] = entry.split('/');
      const family = isIP(network);
      if (family && prefix !== undefined) {
        this.addresses.addSubnet(network, Number(prefix), family === 6 ? 'ipv6' : 'ipv4');
      } else if (family) {
        this.addresses.addAddress(network, family === 6 ? 'ipv6' : 'ipv4');
      } else if (entry.startsWith('*.')) {
        this.suffixes.push(entry.slice(1));
      } else {
        this.hosts.add(entry.replace(/\.$/, ''));
      }
    }
  }

  matchesHost(host: string): boolean {
    const name = host.toLowerCase().replace(/\.$/, '');
    return this.hosts.has(name) || this.suffixes.some((suffix) => name.endsWith(suffix));
  }

  matchesAddress(address: string): boolean {
    const { address: ip, family } = canonical(address);
    return (
      this.addresses.check(ip, family) ||
      (family === 'ipv6' ? false : this.addresses.check(`::ffff:${ip}`, 'ipv6'))
    );
  }
}

export type Resolver = (host: string) => Promise<LookupAddress[]>;

const systemResolver: Resolver = (host) =>
  new Promise((resolve, reject) =>
    dnsLookup(host, { all: true, verbatim: true }, (error, addresses) =>
      error ? reject(error) : resolve(addresses),
    ),
  );

/**
 * Decides whether Lookout may call a webhook address: WEBHOOK_DENY always refuses; a host, IP or
 * CIDR in WEBHOOK_ALLOW is allowed; otherwise every address the host resolves to must be public.
 * Checked when a channel is saved and again on every connection (DNS can change in between):
 * `lookup()` is the socket's resolver, so the address checked is the address connected to.
 */
export class WebhookTargetPolicy {
  private readonly allow: TargetList;
  private readonly deny: TargetList;

  constructor(
    allow: string[],
    deny: string[],
    private readonly resolver: Resolver = systemResolver,
  ) {
    this.allow = new TargetList(allow);
    this.deny = new TargetList(deny);
  }

  /** Throws WebhookTargetRefused unless every address of the URL's host may be called. */
  async check(url: URL): Promise<LookupAddress[]> {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const family = isIP(host);
    let addresses: LookupAddress[];
    if (family) addresses = [{ address: host, family }];
    else {
      try {
        addresses = await this.resolver(host);
      } catch (error) {
        throw new WebhookTargetRefused(
          `cannot resolve "${host}": ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
        );
      }
    }
    this.judge(host, addresses);
    return addresses;
  }

  private judge(host: string, addresses: LookupAddress[]): void {
    if (addresses.length === 0) throw new WebhookTargetRefused(`"${host}" has no address`);
    if (this.deny.matchesHost(host)) throw new WebhookTargetRefused(`"${host}" is in WEBHOOK_DENY`);
    for (const { address } of addresses) {
      if (this.deny.matchesAddress(address))
        throw new WebhookTargetRefused(`${address} (${host}) is in WEBHOOK_DENY`);
    }
    if (this.allow.matchesHost(host)) return;
    for (const { address } of addresses) {
      if (this.allow.matchesAddress(address)) continue;
      const range = specialRange(address);
      if (range) {
        throw new WebhookTargetRefused(
          `${address}${address === host ? '' : ` (${host})`} is not a public address (${range}); ` +
            'add the host, address or range to WEBHOOK_ALLOW to call it',
        );
      }
    }
  }

  /** A `lookup` for http.request: resolves, refuses what `check` refuses, connects to what it checked. */
  readonly lookup: LookupFunction = (hostname, options, callback) => {
    this.check(new URL(`http://${isIP(hostname) === 6 ? `[${hostname}]` : hostname}`)).then(
      (addresses) => {
        const wanted = options.family === 4 || options.family === 6 ? options.family : 0;
        const usable = addresses.filter((a) => !wanted || a.family === wanted);
        if (usable.length === 0) {
          callback(
            Object.assign(new Error(`"${hostname}" has no IPv${wanted} address`), {
              code: 'ENOTFOUND',
            }),
            '',
            0,
          );
        } else if (options.all) {
          (callback as unknown as (error: null, addresses: LookupAddress[]) => void)(null, usable);
        } else {
          callback(null, usable[0].address, usable[0].family);
        }
      },
      (error: Error) => callback(error as NodeJS.ErrnoException, '', 0),
    );
  };
}
