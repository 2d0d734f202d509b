// A flow-mod encoded once for OpenFlow 1.3, of which a few match fields change from one use to the next:
// the load balancer's flows for the clients of one member differ only in the client's in-port, MAC and
// IPv4 address. `instance(values)` is a FlowMod like any other (apps and tests read it as one); the codec
// writes an instance by copying the template's bytes and writing the xid and the changing values in,
// instead of validating and encoding every field again. An instance must not be changed once made.
// On the packet-in path nothing reads an instance's match: it is built only when read.

import { OfEncodeError } from './errors.js';
import type { FlowMod, Instruction, Match } from './model.js';
import { OF13 } from './message-registry.js';
import { oxmFieldByName } from './of13/oxm.js';
import { u16, u32 } from './wire.js';

/** The match fields a template can vary: unmasked numeric fields of 2, 4 or 6 bytes. */
export type TemplateField = 'inPort' | 'ethSrc' | 'ethDst' | 'ipv4Src' | 'ipv4Dst' | 'tcpSrc' | 'tcpDst';

export class FlowModTemplate {
  /** The encoded flow-mod, with 0 in every varying field. */
  private readonly bytes: Buffer;
  /** Where each varying field's value sits in `bytes`, and its size. */
  private readonly offsets: Int32Array;
  private readonly sizes: Int32Array;
  /** The largest value of each varying field. */
  private readonly limits: Float64Array;

  /**
   * `base` is the flow-mod with every field of `vary` present in its match (any value). Throws an
   * OfEncodeError when `base` does not encode or a field of `vary` cannot be varied.
   */
  constructor(
    readonly base: FlowMod,
    readonly vary: readonly TemplateField[],
  ) {
    const zeros: Match = { ...base.match };
    for (const f of vary) {
      if (base.match[f] === undefined) throw new OfEncodeError(`template field ${f} is not in the match`);
      if (base.match[`${f}Mask` as keyof Match] !== undefined)
        throw new OfEncodeError(`template field ${f} is masked`);
      zeros[f] = 0;
    }
    this.bytes = encode13({ ...base, match: zeros });
    this.offsets = new Int32Array(vary.length);
    this.sizes = new Int32Array(vary.length);
    this.limits = new Float64Array(vary.length);
    // Where a field's value sits: the bytes that change when it goes from 0 to its largest value.
    vary.forEach((f, i) => {
      const size = oxmFieldByName(f)!.size;
      const ones = encode13({
        ...base,
        match: { ...zeros, [f]: size === 6 ? 0xffffffffffff : 2 ** (8 * size) - 1 },
      });
      const at = this.bytes.findIndex((b, k) => b !== ones[k]);
      if (at < 0 || ones.length !== this.bytes.length)
        throw new OfEncodeError(`cannot place template field ${f}`);
      this.offsets[i] = at;
      this.sizes[i] = size;
      this.limits[i] = size === 6 ? 0xffffffffffff : 2 ** (8 * size) - 1;
    });
  }

  get length(): number {
    return this.bytes.length;
  }

  /**
   * A flow-mod of this template with `values` in its varying fields, one per field of `vary`, in that
   * order. Values are checked when the flow-mod is encoded, as any flow-mod's are.
   */
  instance(values: readonly number[]): TemplatedFlowMod {
    if (values.length !== this.vary.length)
      throw new OfEncodeError(`template of ${this.vary.length} fields given ${values.length} values`);
    return new TemplatedFlowMod(this, values);
  }

  /** Writes `fm` (an instance of this template) at `off`; returns its length. */
  write(buf: Buffer, off: number, xid: number, fm: TemplatedFlowMod): number {
    const values = fm.values;
    const n = this.limits.length;
    // Validate before writing anything, as the generic encoder does.
    for (let i = 0; i < n; i++) {
      const v = values[i]!;
      if (!Number.isInteger(v) || v < 0 || v > this.limits[i]!)
        throw new OfEncodeError(`${this.vary[i]!} ${String(v)} does not fit in ${this.sizes[i]! * 8} bits`);
    }
    // Uint8Array's set: a plain memory copy, without Buffer.copy's argument handling.
    buf.set(this.bytes, off);
    u32(buf, off + 4, xid);
    for (let i = 0; i < n; i++) {
      const v = values[i]!;
      const at = off + this.offsets[i]!;
      const size = this.sizes[i]!;
      if (size === 2) u16(buf, at, v);
      else if (size === 4) u32(buf, at, v);
      else {
        u16(buf, at, Math.floor(v / 4_294_967_296));
        u32(buf, at + 2, v >>> 0);
      }
    }
    return this.bytes.length;
  }
}

/**
 * A FlowMod made by FlowModTemplate.instance: the template's fields, with its own values in the match.
 * It holds only its template and values: every field reads through to the template's flow-mod, and
 * `match` is built (once) when first read. Being accessors, the fields are not own properties: to
 * compare an instance with a plain FlowMod, copy its fields into a plain object first.
 */
export class TemplatedFlowMod implements FlowMod {
  readonly #from: FlowModTemplate;
  readonly #values: readonly number[];
  #match: Match | undefined;

  constructor(from: FlowModTemplate, values: readonly number[]) {
    this.#from = from;
    this.#values = values;
  }

  get template(): FlowModTemplate {
    return this.#from;
  }

  /** The values of the template's varying fields, in the order of its `vary`. */
  get values(): readonly number[] {
    return this.#values;
  }

  get type(): 'flowMod' {
    return 'flowMod';
  }
  get command(): FlowMod['command'] {
    return this.#from.base.command;
  }
  get cookie(): bigint {
    return this.#from.base.cookie;
  }
  get cookieMask(): bigint {
    return this.#from.base.cookieMask;
  }
  get tableId(): number {
    return this.#from.base.tableId;
  }
  get idleTimeout(): number {
    return this.#from.base.idleTimeout;
  }
  get hardTimeout(): number {
    return this.#from.base.hardTimeout;
  }
  get priority(): number {
    return this.#from.base.priority;
  }
  get bufferId(): number {
    return this.#from.base.bufferId;
  }
  get outPort(): number {
    return this.#from.base.outPort;
  }
  get outGroup(): number {
    return this.#from.base.outGroup;
  }
  get flags(): number {
    return this.#from.base.flags;
  }
  get instructions(): Instruction[] {
    return this.#from.base.instructions;
  }

  get match(): Match {
    return (this.#match ??= matchWith(this.#from.base.match, this.#from.vary, this.#values));
  }
}

/** A copy of `match` with `values[i]` in field `fields[i]`. */
export function matchWith(match: Match, fields: readonly TemplateField[], values: readonly number[]): Match {
  const m: Match = { ...match };
  for (let i = 0; i < fields.length; i++) m[fields[i]!] = values[i];
  return m;
}

function encode13(fm: FlowMod): Buffer {
  const buf = Buffer.alloc(OF13.length(fm));
  OF13.write(buf, 0, 0, fm);
  return buf;
}
