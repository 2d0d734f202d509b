import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EndpointError, formatEndpoint, parseEndpoint } from '../../src/config/endpoint.js';

describe('listener addresses', () => {
  it('parses HOST:PORT and [IPv6]:PORT', () => {
    expect(parseEndpoint('0.0.0.0:6343')).toEqual({ host: '0.0.0.0', port: 6343 });
    expect(parseEndpoint('[::]:6653')).toEqual({ host: '::', port: 6653 });
    expect(parseEndpoint('localhost:0')).toEqual({ host: 'localhost', port: 0 });
  });

  it('refuses anything else with an error that quotes it', () => {
    for (const bad of ['6343', 'a:99999', ':80', 'host:', '[::1:80', 'a b:1', '']) {
      expect(() => parseEndpoint(bad), bad).toThrow(EndpointError);
    }
    expect(() => parseEndpoint('a:99999')).toThrow(/"a:99999".*HOST:PORT/);
  });

  it('formats what it parses back to the same text', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.ipV4(), fc.ipV6(), fc.domain()),
        fc.integer({ min: 0, max: 65_535 }),
        (host, port) => {
          const text = formatEndpoint({ host, port });
          expect(parseEndpoint(text)).toEqual({ host, port });
        },
      ),
    );
  });
});
