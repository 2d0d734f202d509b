// Random messages from this encoder, read back by Open vSwitch's own decoder (ovs-ofctl ofp-parse reads
// a binary stream of OpenFlow messages): every one must be accepted, in order, and show the fields we
// wrote. The generators keep to values a switch accepts (prerequisites met, known port and role numbers).

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatMac } from '../../src/net/mac-address.js';
import { applyActions, flowMod, output, packetOut } from '../../src/openflow/builders.js';
import { encodeMessage } from '../../src/openflow/codec.js';
import type { Action, Match, OfMessage, OfVersion } from '../../src/openflow/model.js';
import { OFPP } from '../../src/openflow/model.js';
import { fixedString, mac, port10Desc, port13, u16, u32, u64 } from './arbitraries.js';

function ofpParse(stream: Buffer): string {
  const dir = mkdtempSync(join(tmpdir(), 'ofparse-'));
  try {
    const file = join(dir, 'stream.bin');
    writeFileSync(file, stream);
    return execFileSync('ovs-ofctl', ['ofp-parse', file], { encoding: 'utf8', maxBuffer: 64 << 20 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error('ovs-ofctl not found: install Open vSwitch (apt-get install -y openvswitch-switch)');
    }
    throw e;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** All-ones is reserved (OVS drops it from what it prints). */
const cookie = u64.filter((c) => c !== 0xffffffffffffffffn);
const physPort = fc.integer({ min: 1, max: 0xfeff });
const outPort = fc.oneof(
  physPort,
  fc.constantFrom(OFPP.IN_PORT, OFPP.FLOOD, OFPP.ALL, OFPP.LOCAL, OFPP.CONTROLLER),
);

/** Matches with their prerequisites in place. */
const plausibleMatch: fc.Arbitrary<Match> = fc.oneof(
  fc.record({ inPort: physPort, ethSrc: mac, ethDst: mac }, { requiredKeys: [] }),
  fc.record(
    { ethType: fc.constant(0x0800), ipv4Src: u32, ipProto: fc.constant(6), tcpDst: u16 },
    { requiredKeys: ['ethType', 'ipProto', 'tcpDst'] },
  ),
  fc.record(
    { ethType: fc.constant(0x0800), ipv4Dst: u32, ipProto: fc.constant(17), udpSrc: u16 },
    { requiredKeys: ['ethType', 'ipProto'] },
  ),
  fc.record(
    { ethType: fc.constant(0x0806), arpOp: fc.constantFrom(1, 2), arpTpa: u32 },
    { requiredKeys: ['ethType'] },
  ),
);

const plausibleActions: fc.Arbitrary<Action[]> = fc.array(
  fc.oneof(
    outPort.map((p) => output(p, p === OFPP.CONTROLLER ? 0xffff : 0)),
    mac.map((v) => ({ type: 'setField', field: 'ethDst', value: v }) as Action),
    mac.map((v) => ({ type: 'setField', field: 'ethSrc', value: v }) as Action),
  ),
  { maxLength: 4 },
);

function messages(version: OfVersion): fc.Arbitrary<OfMessage> {
  const port = version === 4 ? port13 : port10Desc;
  const arbs: fc.Arbitrary<OfMessage>[] = [
    fc.record({
      type: fc.constant('echoRequest' as const),
      data: fc.uint8Array({ maxLength: 20 }).map((a) => Buffer.from(a)),
    }),
    fc.constant({ type: 'barrierRequest' as const }),
    fc.constant({ type: 'featuresRequest' as const }),
    fc.record({ type: fc.constant('setConfig' as const), flags: fc.constantFrom(0, 1, 2), missSendLen: u16 }),
    fc.record({
      type: fc.constant('featuresReply' as const),
      datapathId: u64,
      nBuffers: u32,
      nTables: fc.integer({ min: 1, max: 254 }),
      auxiliaryId: fc.constant(0),
      capabilities: fc.constant(0x47),
      actions: fc.constant(version === 1 ? 0xfff : 0),
      ports: fc.constant([] as never[]),
    }),
    fc.record({
      type: fc.constant('portStatus' as const),
      reason: fc.constantFrom(0, 1, 2),
      port: port.map((p) => ({
        ...p,
        portNo: 1 + (p.portNo % 0xfe00),
        config: p.config & 0x65,
        state: p.state & 1,
        curr: 0,
        advertised: 0,
        supported: 0,
        peer: 0,
      })),
    }),
    fc
      .record({ match: plausibleMatch, actions: plausibleActions, cookie: cookie, priority: u16, idle: u16 })
      .map(({ match, actions, cookie, priority, idle }) =>
        flowMod({
          match,
          cookie,
          priority,
          idleTimeout: idle,
          instructions: actions.length ? [applyActions(...actions)] : [],
        }),
      ),
    fc
      .record({ actions: plausibleActions, data: fc.uint8Array({ minLength: 14, maxLength: 60 }) })
      .map(({ actions, data }) => packetOut({ inPort: OFPP.CONTROLLER, actions, data: Buffer.from(data) })),
    fc.record({
      type: fc.constant('multipartRequest' as const),
      flags: fc.constant(0),
      body: fc.constantFrom(
        { kind: 'desc' as const },
        { kind: 'table' as const },
        { kind: 'portDesc' as const },
      ),
    }),
    fc.record({
      type: fc.constant('multipartReply' as const),
      flags: fc.constant(0),
      body: fc
        .record({
          mfrDesc: fixedString(40),
          hwDesc: fixedString(40),
          swDesc: fixedString(40),
          serialNum: fixedString(30),
          dpDesc: fixedString(40),
        })
        .map((desc) => ({ kind: 'desc' as const, desc })),
    }),
  ];
  if (version === 4) {
    arbs.push(
      fc.record({
        type: fc.constantFrom('roleRequest' as const, 'roleReply' as const),
        role: fc.constantFrom(0, 1, 2, 3),
        generationId: u64,
      }),
    );
  }
  return fc.oneof(...arbs);
}

describe.each([
  ['1.3', 4],
  ['1.0', 1],
] as const)('OpenFlow %s messages read by ovs-ofctl ofp-parse', (_name, version) => {
  it('accepts every one of 400 random messages, in order, with the fields written', () => {
    const msgs = fc.sample(messages(version), { numRuns: 400, seed: 4242 + version });
    const stream = Buffer.concat(msgs.map((m, i) => encodeMessage(version, 0x1000 + i, m)));
    const text = ofpParse(stream);
    expect(text).not.toMatch(/decode error|\*\*\*/);
    const headers = text.split('\n').filter((l) => /\(xid=0x[0-9a-f]+/.test(l));
    expect(headers.length).toBe(msgs.length);
    msgs.forEach((m, i) => {
      const line = headers[i] as string;
      expect(line).toContain(`xid=0x${(0x1000 + i).toString(16)}`);
      if (m.type === 'flowMod') {
        if (m.match.ethDst !== undefined) expect(line).toContain(`dl_dst=${formatMac(m.match.ethDst)}`);
        if (m.cookie !== 0n) expect(line).toContain(`cookie:0x${m.cookie.toString(16)}`);
        if (m.match.tcpDst !== undefined) expect(line).toContain(`tp_dst=${m.match.tcpDst}`);
      }
      if (m.type === 'featuresReply')
        expect(line).toContain(`dpid:${m.datapathId.toString(16).padStart(16, '0')}`);
      if (m.type === 'setConfig') expect(line).toContain(`miss_send_len=${m.missSendLen}`);
    });
  });
});
