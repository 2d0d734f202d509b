// A strict parser of the Prometheus text exposition format 0.0.4, for tests: any deviation throws with
// the line number.

export interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface PromFamily {
  name: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  help?: string;
  samples: PromSample[];
}

const METRIC = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

function parseValue(s: string, line: number): number {
  if (s === '+Inf') return Infinity;
  if (s === '-Inf') return -Infinity;
  // Prometheus reads values with Go's strconv.ParseFloat, which takes NaN in any case (prom-client writes "Nan").
  if (/^nan$/i.test(s)) return NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s)) throw new Error(`line ${line}: bad value "${s}"`);
  return Number(s);
}

function parseLabels(s: string, line: number): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < s.length) {
    const eq = s.indexOf('=', i);
    if (eq < 0) throw new Error(`line ${line}: label without "="`);
    const name = s.slice(i, eq);
    if (!LABEL.test(name)) throw new Error(`line ${line}: bad label name "${name}"`);
    if (name in out) throw new Error(`line ${line}: duplicate label "${name}"`);
    if (s[eq + 1] !== '"') throw new Error(`line ${line}: label value not quoted`);
    let j = eq + 2;
    let v = '';
    for (;;) {
      const c = s[j];
      if (c === undefined) throw new Error(`line ${line}: unterminated label value`);
      if (c === '"') break;
      if (c === '\\') {
        const n = s[j + 1];
        if (n === '\\') v += '\\';
        else if (n === '"') v += '"';
        else if (n === 'n') v += '\n';
        else throw new Error(`line ${line}: bad escape "\\${n}"`);
        j += 2;
        continue;
      }
      if (c === '\n') throw new Error(`line ${line}: raw newline in label value`);
      v += c;
      j++;
    }
    out[name] = v;
    i = j + 1;
    if (i < s.length) {
      if (s[i] !== ',') throw new Error(`line ${line}: expected "," between labels`);
      i++;
    }
  }
  return out;
}

/** The family a sample name belongs to, given the declared family names. */
function familyOf(name: string, families: Map<string, PromFamily>): PromFamily | undefined {
  const f = families.get(name);
  if (f) return f;
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (name.endsWith(suffix)) {
      const base = families.get(name.slice(0, -suffix.length));
      if (base && (base.type === 'histogram' || (base.type === 'summary' && suffix !== '_bucket')))
        return base;
    }
  }
  return undefined;
}

export function parsePrometheusText(text: string): Map<string, PromFamily> {
  const families = new Map<string, PromFamily>();
  const seen = new Set<string>();
  const closed = new Set<string>();
  let current: PromFamily | undefined;
  if (text.length > 0 && !text.endsWith('\n')) throw new Error('exposition must end with a newline');
  const lines = text.split('\n');
  lines.pop();
  lines.forEach((raw, idx) => {
    const line = idx + 1;
    if (raw === '') return;
    if (raw.startsWith('#')) {
      const m = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(raw);
      if (!m) return;
      const [, kind, name, rest] = m;
      if (!METRIC.test(name!)) throw new Error(`line ${line}: bad metric name "${name}"`);
      let f = families.get(name!);
      if (!f) {
        if (closed.has(name!)) throw new Error(`line ${line}: ${name} declared again`);
        f = { name: name!, type: 'untyped', samples: [] };
        families.set(name!, f);
      } else if (f.samples.length > 0) throw new Error(`line ${line}: ${kind} for ${name} after its samples`);
      if (kind === 'TYPE') {
        if (!TYPES.has(rest!)) throw new Error(`line ${line}: bad type "${rest}"`);
        f.type = rest as PromFamily['type'];
      } else {
        if (f.help !== undefined) throw new Error(`line ${line}: second HELP for ${name}`);
        f.help = rest!;
      }
      if (current && current !== f) closed.add(current.name);
      current = f;
      return;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: (-?\d+))?$/.exec(raw);
    if (!m) throw new Error(`line ${line}: not a sample: ${raw}`);
    const [, name, labelText, valueText] = m;
    const labels = parseLabels(labelText ?? '', line);
    const value = parseValue(valueText!, line);
    let f = familyOf(name!, families);
    if (!f) {
      f = { name: name!, type: 'untyped', samples: [] };
      families.set(name!, f);
    }
    if (closed.has(f.name)) throw new Error(`line ${line}: samples of ${f.name} are not contiguous`);
    if (current && current !== f) closed.add(current.name);
    current = f;
    if (f.type === 'counter' && !(value >= 0)) throw new Error(`line ${line}: counter ${name} is ${value}`);
    const key = `${name}{${Object.entries(labels)
      .sort()
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
      .join(',')}}`;
    if (seen.has(key)) throw new Error(`line ${line}: duplicate series ${key}`);
    seen.add(key);
    f.samples.push({ name: name!, labels, value });
  });
  return families;
}
