// Loads the effective configuration: schema defaults, then a config file (JSON or YAML), then VIGIL_*
// environment variables, then command-line flags — each later source overriding the earlier ones.
// Every bad value is reported with its field, its value, where it came from and what is allowed.

import { readFileSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import { Value } from 'typebox/value';
import { parseDocument } from 'yaml';
import { configProblems } from '../balancer/catalog.js';
import { ConfigSchema, type Config } from './schema.js';

/** A config file larger than this is refused before it is read. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

export type ConfigSource = 'default' | { file: string } | { env: string } | { flag: string };

export interface ConfigIssue {
  /** Dotted field path, e.g. "store.kind". */
  field: string;
  value?: unknown;
  source?: ConfigSource;
  /** What is wrong / what is allowed. */
  problem: string;
}

export class ConfigError extends Error {
  constructor(readonly issues: ConfigIssue[]) {
    super(issues.map(formatIssue).join('\n'));
    this.name = 'ConfigError';
  }
}

export interface LoadOptions {
  /** Config file path; when absent, VIGIL_CONFIG from the environment, if set. */
  file?: string;
  /** Environment (default: process.env). Only VIGIL_* variables are read. */
  env?: NodeJS.ProcessEnv;
  /** Flag overrides by dotted field path, e.g. { 'controller.listen': '127.0.0.1:6653' }. */
  flags?: Record<string, unknown>;
}

export interface LoadedConfig {
  config: Config;
  /** Where each leaf field's value came from. */
  sources: Map<string, ConfigSource>;
}

interface Leaf {
  path: string[];
  schema: Record<string, unknown>;
  env: string;
}

type SchemaNode = { type?: string; properties?: Record<string, SchemaNode>; [k: string]: unknown };

/** Every leaf field of the schema with its environment variable name. */
export function configFields(): Leaf[] {
  const out: Leaf[] = [];
  const walk = (node: SchemaNode, path: string[]) => {
    if (node.type === 'object' && node.properties) {
      for (const [k, child] of Object.entries(node.properties)) walk(child, [...path, k]);
      return;
    }
    out.push({ path, schema: node, env: envName(path) });
  };
  walk(ConfigSchema as unknown as SchemaNode, []);
  return out;
}

/** ['store', 'redisUrl'] -> VIGIL_STORE_REDIS_URL */
export function envName(path: string[]): string {
  return 'VIGIL_' + path.map((p) => p.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()).join('_');
}

export function formatSource(s: ConfigSource | undefined): string {
  if (!s || s === 'default') return 'default';
  if ('file' in s) return `file ${s.file}`;
  if ('env' in s) return `environment ${s.env}`;
  return `flag ${s.flag}`;
}

export function formatIssue(i: ConfigIssue): string {
  const value = i.value === undefined ? '' : ` = ${JSON.stringify(i.value)}`;
  const from = i.source ? ` (from ${formatSource(i.source)})` : '';
  return `${i.field || '(top level)'}${value}${from}: ${i.problem}`;
}

/** Reads and parses a config file; errors name the file and, for YAML, the line. */
export function readConfigFile(file: string): unknown {
  let size: number;
  try {
    size = statSync(file).size;
  } catch (err) {
    throw new ConfigError([
      { field: '', problem: `cannot read config file ${file}: ${(err as Error).message}` },
    ]);
  }
  if (size > MAX_CONFIG_BYTES) {
    throw new ConfigError([
      { field: '', problem: `config file ${file} is ${size} bytes; the limit is ${MAX_CONFIG_BYTES}` },
    ]);
  }
  const text = readFileSync(file, 'utf8');
  if (extname(file).toLowerCase() === '.json') {
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      throw new ConfigError([{ field: '', problem: `${file} is not valid JSON: ${(err as Error).message}` }]);
    }
  }
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((e) => ({
        field: '',
        problem: `${file} is not valid YAML: ${e.message.split('\n')[0]}`,
      })),
    );
  }
  return doc.toJS({ maxAliasCount: 100 }) ?? {};
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Converts a string from the environment or a flag to the type its field expects. */
function coerce(raw: unknown, schema: Record<string, unknown>): unknown {
  if (typeof raw !== 'string') return raw;
  const s = raw.trim();
  switch (schema.type) {
    case 'integer':
    case 'number':
      return s !== '' && Number.isFinite(Number(s)) ? Number(s) : raw;
    case 'boolean':
      if (/^(true|1|yes|on)$/i.test(s)) return true;
      if (/^(false|0|no|off)$/i.test(s)) return false;
      return raw;
    case 'array':
      return s === '' ? [] : s.split(',').map((x) => x.trim());
    default:
      return raw;
  }
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    if (!isPlainObject(node[key])) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
}

function getPath(target: unknown, path: string[]): unknown {
  let node = target;
  for (const key of path) {
    if (Array.isArray(node)) node = node[Number(key)];
    else if (isPlainObject(node)) node = node[key];
    else return undefined;
  }
  return node;
}

/** Records the source of every leaf present in a (file) object. */
function recordSources(
  value: unknown,
  path: string[],
  source: ConfigSource,
  sources: Map<string, ConfigSource>,
): void {
  if (isPlainObject(value)) {
    for (const [k, v] of Object.entries(value)) recordSources(v, [...path, k], source, sources);
  } else if (path.length > 0) {
    sources.set(path.join('.'), source);
  }
}

function describeAllowed(schema: Record<string, unknown>): string {
  if (Array.isArray(schema.enum)) return `one of ${schema.enum.join(', ')}`;
  const parts: string[] = [];
  const hint = schema.format_hint as string | undefined;
  switch (schema.type) {
    case 'integer':
    case 'number': {
      const kind = schema.type === 'integer' ? 'an integer' : 'a number';
      const min = schema.minimum as number | undefined;
      const max = schema.maximum as number | undefined;
      parts.push(min !== undefined && max !== undefined ? `${kind} from ${min} to ${max}` : kind);
      break;
    }
    case 'boolean':
      parts.push('true or false');
      break;
    case 'array':
      parts.push(
        `a list${schema.maxItems !== undefined ? ` of at most ${String(schema.maxItems)} items` : ''} ` +
          `(comma-separated in the environment and flags)`,
      );
      break;
    case 'string':
      parts.push(hint ? `a string of the form ${hint}` : 'a string');
      if (schema.maxLength !== undefined) parts.push(`at most ${String(schema.maxLength)} characters`);
      break;
  }
  return parts.join(', ');
}

/** Turns schema validation errors into issues that name field, value, source and what is allowed. */
function validate(candidate: unknown, sources: Map<string, ConfigSource>): ConfigIssue[] {
  const leaves = new Map(configFields().map((l) => [l.path.join('.'), l]));
  const issues = new Map<string, ConfigIssue>();
  for (const e of Value.Errors(ConfigSchema, candidate)) {
    const path = e.instancePath.split('/').filter(Boolean);
    if (e.keyword === 'additionalProperties') {
      const extra = (e.params as { additionalProperties?: string[] }).additionalProperties ?? [];
      const parent = getPath(
        ConfigSchema,
        path.flatMap((p) => ['properties', p]),
      ) as SchemaNode | undefined;
      const allowed = Object.keys(parent?.properties ?? {}).join(', ');
      for (const name of extra) {
        const field = [...path, name].join('.');
        issues.set(field, {
          field,
          value: getPath(candidate, [...path, name]),
          source: sources.get(field),
          problem: `unknown field; allowed here: ${allowed}`,
        });
      }
      continue;
    }
    if (e.keyword === 'boolean') continue; // the additionalProperties error above says it better
    // Array items: report the array field itself.
    let leafPath = path;
    while (leafPath.length > 0 && !leaves.has(leafPath.join('.'))) leafPath = leafPath.slice(0, -1);
    const field = leafPath.join('.') || path.join('.');
    if (issues.has(field)) continue;
    const leaf = leaves.get(field);
    const item = path.length > leafPath.length ? path.slice(leafPath.length).join('.') : undefined;
    issues.set(field, {
      field,
      value: getPath(candidate, path),
      source: sources.get(field),
      problem:
        item !== undefined
          ? `item ${item} ${e.message}`
          : leaf
            ? `must be ${describeAllowed(leaf.schema)}`
            : e.message,
    });
  }
  // Ports: the pattern admits five digits; the range is checked here.
  for (const [field, leaf] of leaves) {
    const v = getPath(candidate, leaf.path);
    if (!leaf.schema.format_hint?.toString().startsWith('HOST:PORT') || typeof v !== 'string') continue;
    if (issues.has(field)) continue;
    const port = Number(v.slice(v.lastIndexOf(':') + 1));
    if (port > 65_535) {
      issues.set(field, {
        field,
        value: v,
        source: sources.get(field),
        problem: 'port must be from 0 to 65535',
      });
    }
  }
  return [...issues.values()];
}

/** The effective configuration, or a ConfigError listing every bad value. */
export function loadConfig(opts: LoadOptions = {}): LoadedConfig {
  const env = opts.env ?? process.env;
  const sources = new Map<string, ConfigSource>();
  const issues: ConfigIssue[] = [];
  const candidate: Record<string, unknown> = {};

  const file = opts.file ?? (env.VIGIL_CONFIG || undefined);
  if (file) {
    const fromFile = readConfigFile(file);
    if (!isPlainObject(fromFile)) {
      throw new ConfigError([{ field: '', problem: `config file ${file} must hold a mapping of sections` }]);
    }
    Object.assign(candidate, structuredClone(fromFile));
    recordSources(fromFile, [], { file }, sources);
  }

  const fields = configFields();
  const byEnv = new Map(fields.map((f) => [f.env, f]));
  // VIGIL_<SECTION>_* names a setting: an unknown one is a typo to report. Other VIGIL_* variables
  // (VIGIL_CONFIG, VIGIL_DEBUG, the scripts' own) are not settings.
  const sections = new Set(fields.map((f) => envName(f.path.slice(0, 1)) + '_'));
  for (const [name, raw] of Object.entries(env)) {
    if (raw === undefined || ![...sections].some((p) => name.startsWith(p))) continue;
    const leaf = byEnv.get(name);
    if (!leaf) {
      issues.push({
        field: name,
        problem: 'unknown environment variable (see `vigil config print --explain`)',
      });
      continue;
    }
    setPath(candidate, leaf.path, coerce(raw, leaf.schema));
    sources.set(leaf.path.join('.'), { env: name });
  }

  const byPath = new Map(fields.map((f) => [f.path.join('.'), f]));
  for (const [field, raw] of Object.entries(opts.flags ?? {})) {
    if (raw === undefined) continue;
    const leaf = byPath.get(field);
    if (!leaf) throw new Error(`internal: flag mapped to unknown config field ${field}`);
    setPath(candidate, leaf.path, coerce(raw, leaf.schema));
    sources.set(field, {
      flag: `--${leaf.path[leaf.path.length - 1]!.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())}`,
    });
  }

  const config = Value.Default(ConfigSchema, candidate) as Config;
  issues.push(...validate(config, sources));
  // The load balancers' own rules (conflicts, references), once their shape is right.
  if (issues.length === 0)
    for (const p of configProblems(config.loadBalancers)) {
      const field = ['loadBalancers', p.path].filter(Boolean).join('.');
      issues.push({
        field,
        value: getPath(config, field.split('.')),
        source: sources.get('loadBalancers'),
        problem: p.problem,
      });
    }
  if (issues.length > 0) throw new ConfigError(issues);
  return { config, sources };
}

/** Validates one config file on its own (no environment, no flags). */
export function checkConfigFile(file: string): ConfigIssue[] {
  try {
    loadConfig({ file, env: {} });
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.issues;
    throw err;
  }
}

/** A copy of the config with secrets replaced, for printing. */
export function redact(config: Config): Config {
  const copy = structuredClone(config);
  if (copy.api.token) copy.api.token = '<redacted>';
  copy.store.redisUrl = copy.store.redisUrl.replace(/\/\/([^@/]*):([^@/]*)@/, '//$1:<redacted>@');
  return copy;
}
