import { isInternalAddress, isIp, isIPv4, isIPv6, splitHostPort } from './ip-address';

describe('IP addresses', () => {
  it.each(['1.2.3.4', '255.255.255.255', '0.0.0.0'])('%s is IPv4', (text) => {
    expect(isIPv4(text)).toBe(true);
  });

  it.each(['1.2.3', '1.2.3.4.5', '256.1.1.1', '01.2.3.4', '1..2.3', 'a.b.c.d', ''])(
    '%p is not IPv4',
    (text) => {
      expect(isIPv4(text)).toBe(false);
    },
  );

  it.each(['::1', '::', '2a02:cf40::', '2a02:cf40:10ff:f00f:0000:0000:0:8000', '::ffff:1.2.3.4'])(
    '%s is IPv6',
    (text) => {
      expect(isIPv6(text)).toBe(true);
    },
  );

  it.each(['2a02:cf40::::::::4e36', '1:2:3:4:5:6:7', '1::2::3', 'unix:', 'example.com:80', 'g::1'])(
    '%p is not IPv6',
    (text) => {
      expect(isIPv6(text)).toBe(false);
    },
  );

  it('tells internal addresses from the ones that reached the edge', () => {
    for (const internal of ['10.0.0.1', '127.0.0.1', '172.16.0.1', '172.31.255.1', '192.168.1.1']) {
      expect(isInternalAddress(internal)).toBe(true);
    }
    for (const internal of ['::1', 'fd00::1', 'fe80::1', 'localhost', 'unix:']) {
      expect(isInternalAddress(internal)).toBe(true);
    }
    for (const external of ['81.2.69.143', '172.32.0.1', '2a02:cf40::4e36', 'example.com']) {
      expect(isInternalAddress(external)).toBe(false);
    }
    expect(isIp('localhost')).toBe(false);
  });

  it('splits host and port without breaking IPv6', () => {
    expect(splitHostPort('example.com:80')).toEqual({ host: 'example.com', port: 80 });
    expect(splitHostPort('[2a02:cf40::]:9200')).toEqual({ host: '2a02:cf40::', port: 9200 });
    expect(splitHostPort('2a02:cf40::4e36')).toEqual({ host: '2a02:cf40::4e36' });
    expect(splitHostPort('1.2.3.4')).toEqual({ host: '1.2.3.4' });
    expect(splitHostPort('unix:/var/run/php-fpm.sock')).toEqual({
      host: 'unix:/var/run/php-fpm.sock',
    });
    expect(splitHostPort('host:99999')).toEqual({ host: 'host:99999' });
  });
});
