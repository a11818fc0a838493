import { describe, expect, it } from '@jest/globals';
import type { IncomingMessage } from 'node:http';
import { ConfigError, validateEnvironment } from '../config/environment.js';
import { httpConfig } from './http.config.js';
import { clientAddress } from './client-address.js';

const request = (peer: string, forwardedFor?: string) =>
  ({
    socket: { remoteAddress: peer },
    headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
  }) as unknown as IncomingMessage;

const hops = (count: number) => (_address: string, hop: number) => hop < count;

describe('clientAddress', () => {
  it('is the TCP peer when no proxy is trusted', () => {
    expect(clientAddress(request('10.0.0.9', '1.2.3.4'), hops(0))).toBe('10.0.0.9');
  });

  it('behind one proxy, is the address that proxy appended (not what the client wrote)', () => {
    expect(clientAddress(request('127.0.0.1', '1.2.3.4'), hops(1))).toBe('1.2.3.4');
    expect(clientAddress(request('127.0.0.1', '6.6.6.6, 1.2.3.4'), hops(1))).toBe('1.2.3.4');
    expect(clientAddress(request('127.0.0.1', ' 6.6.6.6 ,, 1.2.3.4 '), hops(2))).toBe('6.6.6.6');
  });

  it('is the farthest address when every hop is trusted, the peer when nothing was forwarded', () => {
    expect(clientAddress(request('127.0.0.1', '6.6.6.6, 1.2.3.4'), hops(9))).toBe('6.6.6.6');
    expect(clientAddress(request('127.0.0.1'), hops(1))).toBe('127.0.0.1');
  });
});

describe('TRUST_PROXY', () => {
  const trustProxy = (value: string) =>
    httpConfig.build(validateEnvironment({ TRUST_PROXY: value })).trustProxy;

  it('is a hop count or a list of proxy addresses, subnets and names', () => {
    expect(httpConfig.build(validateEnvironment({})).trustProxy).toBeUndefined();
    expect(trustProxy('1')).toBe(1);
    expect(trustProxy('loopback, 10.0.0.0/8,::1')).toEqual(['loopback', '10.0.0.0/8', '::1']);
  });

  it.each(['true', '0', '12', '10.0.0.300', '10.0.0.0/33', 'nginx', '1, 2'])(
    'refuses %p with a message that names it',
    (value) => {
      expect(() => validateEnvironment({ TRUST_PROXY: value })).toThrow(ConfigError);
      expect(() => validateEnvironment({ TRUST_PROXY: value })).toThrow(/TRUST_PROXY/);
    },
  );
});
