/** IPv4 dotted quad, each part 0–255 without leading zeros beyond one digit. */
export function isIPv4(text: string): boolean {
  let parts = 0;
  let value = -1;
  let length = 0;
  for (let i = 0; i <= text.length; i++) {
    const code = i < text.length ? text.charCodeAt(i) : 46; // a final '.' closes the last part
    if (code === 46) {
      if (value < 0 || value > 255 || (length > 1 && text.charCodeAt(i - length) === 48)) {
        return false;
      }
      parts++;
      value = -1;
      length = 0;
    } else if (code >= 48 && code <= 57 && length < 3) {
      value = (value < 0 ? 0 : value * 10) + (code - 48);
      length++;
    } else {
      return false;
    }
  }
  return parts === 4;
}

const HEX_GROUP = /^[0-9a-f]{1,4}$/i;

/** IPv6 in any textual form (`::1`, `2a02:cf40::4e36`, `::ffff:1.2.3.4`), without a zone index. */
export function isIPv6(text: string): boolean {
  if (text.length < 2 || text.length > 45 || !text.includes(':')) return false;
  const halves = text.split('::');
  if (halves.length > 2) return false;
  const groups = (half: string): string[] => (half === '' ? [] : half.split(':'));
  const all = [...groups(halves[0]), ...(halves.length === 2 ? groups(halves[1]) : [])];
  let count = 0;
  for (let i = 0; i < all.length; i++) {
    if (i === all.length - 1 && all[i].includes('.')) {
      // An embedded IPv4 tail counts as two groups.
      if (!isIPv4(all[i])) return false;
      count += 2;
    } else if (HEX_GROUP.test(all[i])) {
      count++;
    } else {
      return false;
    }
  }
  return halves.length === 2 ? count < 8 : count === 8;
}

export function isIp(text: string): boolean {
  return isIPv4(text) || isIPv6(text);
}

/**
 * Loopback, private and link-local addresses, and names that are not routable (`localhost`,
 * nginx's `unix:`). Used to pick the client from an X-Forwarded-For list: the first address that
 * is not one of these is the one that reached the edge.
 */
export function isInternalAddress(text: string): boolean {
  if (text === 'localhost' || text.startsWith('unix:')) return true;
  if (isIPv4(text)) {
    const dot = text.indexOf('.');
    const first = Number(text.slice(0, dot));
    const second = Number(text.slice(dot + 1, text.indexOf('.', dot + 1)));
    return (
      first === 10 ||
      first === 127 ||
      (first === 172 && second >= 16 && second <= 31) ||
      (first === 192 && second === 168) ||
      (first === 169 && second === 254)
    );
  }
  if (!isIPv6(text)) return false;
  const lower = text.toLowerCase();
  return lower === '::1' || /^f[cd]/.test(lower) || /^fe[89ab]/.test(lower);
}

/**
 * `host:port`, `[v6]:port`, `1.2.3.4`, `::1`: the host and the port when there is one. A bare IPv6
 * address is not split at its last colon.
 */
export function splitHostPort(text: string): { host: string; port?: number } {
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close > 0) {
      const port = text[close + 1] === ':' ? toPort(text.slice(close + 2)) : undefined;
      return { host: text.slice(1, close), port };
    }
  }
  const colon = text.lastIndexOf(':');
  if (colon <= 0 || isIPv6(text)) return { host: text };
  const port = toPort(text.slice(colon + 1));
  return port === undefined ? { host: text } : { host: text.slice(0, colon), port };
}

function toPort(text: string): number | undefined {
  if (!/^\d{1,5}$/.test(text)) return undefined;
  const port = Number(text);
  return port <= 65535 ? port : undefined;
}
