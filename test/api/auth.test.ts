import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { authorize } from '../../src/api/auth.js';
import { describeValidation } from '../../src/api/errors.js';
import { parseEndpoint } from '../../src/api/server.js';

const TOKEN = 'Zm9vYmFy.tok-123~_+/=';
const opts = { token: TOKEN };

describe('authorize', () => {
  it('lets reads through and asks changes for the token', () => {
    expect(authorize(opts, 'GET', '/api/v1/vms', undefined)).toEqual({ ok: true });
    expect(authorize(opts, 'HEAD', '/metrics', undefined)).toEqual({ ok: true });
    for (const m of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      expect(authorize(opts, m, '/api/v1/pools', undefined)).toMatchObject({
        ok: false,
        status: 401,
        code: 'unauthorized',
      });
      expect(authorize(opts, m, '/api/v1/pools', `Bearer ${TOKEN}`)).toEqual({ ok: true });
      expect(authorize(opts, m, '/api/v1/pools', `Bearer a${TOKEN}`)).toMatchObject({
        ok: false,
        status: 401,
        code: 'invalid_token',
      });
    }
  });

  it('refuses every change in read-only mode, even with the token', () => {
    expect(authorize({ ...opts, readOnly: true }, 'POST', '/api/v1/pools', `Bearer ${TOKEN}`)).toMatchObject({
      status: 403,
      code: 'read_only',
    });
    expect(authorize({ ...opts, readOnly: true }, 'GET', '/api/v1/pools', undefined)).toEqual({ ok: true });
  });

  it('refuses changes when no token is configured', () => {
    expect(authorize({}, 'POST', '/api/v1/pools', 'Bearer x')).toMatchObject({
      status: 403,
      code: 'changes_disabled',
    });
    expect(authorize({ token: '' }, 'DELETE', '/api/v1/pools/1', 'Bearer ')).toMatchObject({ status: 403 });
  });

  it('guards data reads only when asked, never the documentation', () => {
    const o = { ...opts, readsNeedToken: true };
    expect(authorize(o, 'GET', '/api/v1/vms', undefined)).toMatchObject({ status: 401 });
    expect(authorize(o, 'GET', '/metrics', undefined)).toMatchObject({ status: 401 });
    expect(authorize(o, 'GET', '/metrics?x=1', undefined)).toMatchObject({ status: 401 });
    expect(authorize(o, 'GET', '/api/v1/vms', `Bearer ${TOKEN}`)).toEqual({ ok: true });
    expect(authorize(o, 'GET', '/docs/', undefined)).toEqual({ ok: true });
    expect(authorize(o, 'GET', '/openapi.json', undefined)).toEqual({ ok: true });
    expect(authorize(o, 'GET', '/assets/index.js', undefined)).toEqual({ ok: true });
  });

  it('never throws and accepts only the exact token, whatever the header', () => {
    fc.assert(
      fc.property(
        fc.option(fc.string({ maxLength: 200 }), { nil: undefined }),
        fc.constantFrom('POST', 'PUT', 'DELETE', 'GET'),
        (header, method) => {
          const v = authorize({ ...opts, readsNeedToken: true }, method, '/api/v1/pools', header);
          const exact =
            header !== undefined &&
            /^bearer +/i.test(header) &&
            header.replace(/^bearer +/i, '').trim() === TOKEN;
          expect(v.ok).toBe(exact);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('rejects mutated forms of the right header', () => {
    fc.assert(
      fc.property(fc.nat(TOKEN.length + 6), fc.integer({ min: 0, max: 127 }), (pos, code) => {
        const good = `Bearer ${TOKEN}`;
        const bad = good.slice(0, pos) + String.fromCharCode(code) + good.slice(pos + 1);
        fc.pre(bad !== good && bad.replace(/^bearer +/i, '').trim() !== TOKEN);
        expect(authorize(opts, 'POST', '/api/v1/pools', bad).ok).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('validation messages', () => {
  it('names the field for each kind of failure', () => {
    expect(
      describeValidation('body', {
        instancePath: '/pool',
        keyword: 'required',
        params: { missingProperty: 'protocol' },
        message: "must have required property 'protocol'",
      }),
    ).toEqual({
      field: '/body/pool/protocol',
      message: "/body/pool/protocol must have required property 'protocol'",
    });
    expect(
      describeValidation('body', {
        instancePath: '/pool',
        keyword: 'additionalProperties',
        params: { additionalProperty: 'x' },
      }).field,
    ).toBe('/body/pool/x');
    expect(
      describeValidation('querystring', {
        instancePath: '/by',
        keyword: 'enum',
        params: { allowedValues: ['bytes', 'packets'] },
      }),
    ).toEqual({
      field: '/querystring/by',
      message: '/querystring/by must be one of bytes, packets',
    });
    expect(describeValidation(undefined, {}).field).toBe('/body');
  });
});

describe('parseEndpoint', () => {
  it('splits host and port, IPv6 in brackets', () => {
    expect(parseEndpoint('127.0.0.1:8080')).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(parseEndpoint('[::1]:0')).toEqual({ host: '::1', port: 0 });
    expect(parseEndpoint('localhost:65535')).toEqual({ host: 'localhost', port: 65535 });
    for (const bad of ['127.0.0.1', ':80', 'a:65536', '::1:80', 'a b:1'])
      expect(() => parseEndpoint(bad), bad).toThrow();
  });
});
