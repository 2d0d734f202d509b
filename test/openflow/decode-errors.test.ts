// Malformed and unknown input becomes a typed error value, with the header fields a session needs to
// answer with OFPT_ERROR; unrepresentable messages make the encoders throw OfEncodeError.

import { describe, expect, it } from 'vitest';
import { applyActions, flowMod, output, packetOut } from '../../src/openflow/builders.js';
import { decodeMessage, encodeMessage } from '../../src/openflow/codec.js';
import { OfEncodeError } from '../../src/openflow/errors.js';
import type { OfDecodeError, OfMessage } from '../../src/openflow/model.js';
import { OFPP } from '../../src/openflow/model.js';
import { hex } from './fixture-helpers.js';

function decodeError(bytes: Buffer): OfDecodeError {
  const r = decodeMessage(bytes);
  if (r.ok) throw new Error(`expected an error, decoded ${r.msg.type}`);
  return r.error;
}

/** A 1.3 flow-mod with an empty match and the given instruction bytes. */
function flowMod13(instructions: string, matchOxm = ''): Buffer {
  const oxm = hex(matchOxm);
  const matchLen = 4 + oxm.length;
  const padded = (matchLen + 7) & ~7;
  const ins = hex(instructions);
  const b = Buffer.alloc(48 + padded + ins.length);
  b.writeUInt32BE(0x040e0000 | b.length, 0);
  b.writeUInt32BE(0x77, 4);
  b.writeUInt32BE(0xffffffff, 32);
  b.writeUInt32BE(0xffffffff, 36);
  b.writeUInt32BE(0xffffffff, 40);
  b.writeUInt16BE(1, 48);
  b.writeUInt16BE(matchLen, 50);
  oxm.copy(b, 52);
  ins.copy(b, 48 + padded);
  return b;
}

describe('decode errors', () => {
  it('reports fewer bytes than a header as truncated', () => {
    expect(decodeError(hex('04 00 00'))).toMatchObject({ code: 'truncated', offset: 0 });
    expect(decodeError(Buffer.alloc(0)).code).toBe('truncated');
  });

  it('reports a header length below 8, above or below the bytes given', () => {
    expect(decodeError(hex('04 14 0004 00000001'))).toMatchObject({
      code: 'bad-length',
      xid: 1,
      msgType: 0x14,
    });
    expect(decodeError(hex('04 14 0010 00000001'))).toMatchObject({ code: 'truncated', xid: 1 });
    expect(decodeError(hex('04 14 0008 00000001 00'))).toMatchObject({ code: 'bad-length', xid: 1 });
  });

  it('reports an unsupported version with the header fields, but decodes any version of HELLO', () => {
    expect(decodeError(hex('02 05 0008 00000009'))).toEqual({
      code: 'bad-version',
      message: 'unsupported OpenFlow version 0x2',
      offset: 0,
      version: 2,
      msgType: 5,
      xid: 9,
    });
    const hello = decodeMessage(hex('06 00 0010 00000003 | 0001 0008 00000052  # versions 1, 4, 6'));
    expect(hello).toEqual({ ok: true, version: 6, xid: 3, msg: { type: 'hello', versions: [1, 4, 6] } });
  });

  it('reports an unknown message type of each version as bad-type', () => {
    expect(decodeError(hex('04 1e 0008 00000063'))).toMatchObject({
      code: 'bad-type',
      version: 4,
      msgType: 30,
      xid: 0x63,
    });
    expect(decodeError(hex('01 0f 0008 00000064'))).toMatchObject({
      code: 'bad-type',
      version: 1,
      msgType: 15,
      xid: 0x64,
    });
  });

  it('reports fixed-size messages of the wrong size', () => {
    expect(decodeError(hex('04 14 000c 00000001 00000000')).code).toBe('bad-length');
    expect(decodeError(hex('04 06 0014 00000001 0000000000000001 00000000')).code).toBe('bad-length');
    expect(decodeError(hex('01 09 000a 00000001 0000')).code).toBe('bad-length');
  });

  it('reports an unknown flow-mod command', () => {
    const b = flowMod13('');
    b[25] = 9;
    expect(decodeError(b)).toMatchObject({ code: 'malformed', offset: 25 });
  });

  it('reports OXM errors: wrong size, duplicate field, mask on an unmaskable field, overrun', () => {
    expect(decodeError(flowMod13('', '80000003 000001')).code).toBe('bad-length'); // in_port of 3 bytes
    expect(decodeError(flowMod13('', '80000a02 0800 80000a02 0806')).code).toBe('malformed'); // eth_type twice
    expect(decodeError(flowMod13('', '80000108 00000001 ffffffff')).code).toBe('malformed'); // in_port/mask
    expect(decodeError(flowMod13('', '80000a09 0800')).code).toBe('truncated'); // payload past the match
    const r = decodeError(flowMod13('', '80000a02 0800 80000a02 0806'));
    expect(r.offset).toBe(58); // the second TLV: 48 + 4 (match header) + 6
  });

  it('keeps OXM TLVs of other classes verbatim', () => {
    const r = decodeMessage(flowMod13('', '00010404 00000007  # NXM_NX_REG0=7'));
    expect(r.ok && r.msg.type === 'flowMod' && r.msg.match.otherOxm).toEqual([
      { oxmClass: 1, field: 2, hasMask: false, payload: hex('00000007') },
    ]);
  });

  it('reports action and instruction errors', () => {
    expect(decodeError(flowMod13('0004 000c 00000000 00000000')).code).toBe('bad-length'); // instruction len 12
    expect(decodeError(flowMod13('0009 0008 00000000')).code).toBe('malformed'); // unknown instruction 9
    expect(decodeError(flowMod13('0004 0010 00000000 | 0000 0008 00000001')).code).toBe('bad-length'); // output of 8
    expect(decodeError(flowMod13('0004 0010 00000000 | 0000 0010 00000001')).code).toBe('truncated'); // action past instruction
    expect(decodeError(flowMod13('0004 0010 00000000 | 0000 0000 00000000')).code).toBe('bad-length'); // action len 0
  });

  it('reports a packet-in whose match runs past the message', () => {
    expect(
      decodeError(hex('04 0a 0020 00000000 | ffffffff 0000 00 00 0000000000000000 | 0001 0010 80000004'))
        .code,
    ).toBe('truncated');
  });

  it('reports a 1.0 match with transport ports but no transport protocol', () => {
    const b = encodeMessage(1, 1, flowMod({ match: { ethType: 0x0800, ipProto: 6, tcpDst: 80 } }));
    b[8 + 25] = 0x2f; // nw_proto GRE
    expect(decodeError(b).code).toBe('malformed');
  });

  it('keeps unknown actions verbatim', () => {
    const r = decodeMessage(flowMod13('0004 0018 00000000 | ffff 0010 00002320 0026 000000000000'));
    expect(r.ok && r.msg.type === 'flowMod' && r.msg.instructions).toEqual([
      {
        type: 'applyActions',
        actions: [{ type: 'other', actionType: 0xffff, body: hex('00002320 0026 000000000000') }],
      },
    ]);
  });
});

describe('encode errors', () => {
  const cannot = (version: 1 | 4, msg: OfMessage, what: RegExp) =>
    expect(() => encodeMessage(version, 1, msg)).toThrow(
      expect.objectContaining({ name: 'OfEncodeError', message: expect.stringMatching(what) }),
    );

  it('refuses what OpenFlow 1.0 cannot express', () => {
    cannot(1, flowMod({ match: { ethType: 0x86dd, ipv6Src: Buffer.alloc(16) } }), /ipv6Src/);
    cannot(1, flowMod({ match: { ethType: 0x0800, ipv4Src: 1, ipv4SrcMask: 0xff00ff00 } }), /not a prefix/);
    cannot(1, flowMod({ match: { ethDst: 1, ethDstMask: 0xff } }), /ethDstMask/);
    cannot(1, flowMod({ match: { tcpDst: 80 } }), /ipProto 6/);
    cannot(1, flowMod({ match: { arpSpa: 1 } }), /0x0806/);
    cannot(1, flowMod({ instructions: [{ type: 'gotoTable', tableId: 1 }] }), /single applyActions/);
    cannot(1, flowMod({ instructions: [applyActions({ type: 'group', groupId: 1 })] }), /group/);
    cannot(1, flowMod({ command: 'delete', cookieMask: 0xffn }), /cookie mask/);
    cannot(1, flowMod({ instructions: [applyActions(output(0xff00))] }), /no OpenFlow 1.0 port/);
    cannot(
      1,
      flowMod({ instructions: [applyActions({ type: 'setField', field: 'vlanVid', value: 10 })] }),
      /OFPVID_PRESENT/,
    );
    cannot(1, { type: 'roleRequest', role: 2, generationId: 0n }, /role/);
  });

  it('refuses what OpenFlow 1.3 cannot express and out-of-range values', () => {
    cannot(4, flowMod({ instructions: [applyActions({ type: 'enqueue', port: 1, queueId: 1 })] }), /enqueue/);
    cannot(4, flowMod({ priority: 70000 }), /priority/);
    cannot(4, flowMod({ match: { ethDst: 2 ** 48 } }), /MAC/);
    cannot(4, flowMod({ match: { ipv4SrcMask: 0xffffff00 } }), /without ipv4Src/);
    cannot(4, packetOut({ data: Buffer.alloc(70000) }), /exceeds 65535/);
    const port = {
      portNo: 1,
      hwAddr: 0,
      name: 'x'.repeat(17),
      config: 0,
      state: 0,
      curr: 0,
      advertised: 0,
      supported: 0,
      peer: 0,
      currSpeed: 0,
      maxSpeed: 0,
    };
    cannot(4, { type: 'portStatus', reason: 0, port }, /longer than 16/);
    cannot(
      4,
      {
        type: 'featuresReply',
        datapathId: 1n,
        nBuffers: 0,
        nTables: 1,
        auxiliaryId: 0,
        capabilities: 0,
        actions: 0,
        ports: [{ ...port, name: 'p' }],
      },
      /no ports/,
    );
    expect(new OfEncodeError('x')).toBeInstanceOf(Error);
  });

  it('encodes reserved ports in both widths', () => {
    const po = packetOut({ inPort: OFPP.CONTROLLER, actions: [output(OFPP.FLOOD)] });
    expect(encodeMessage(1, 1, po).readUInt16BE(12)).toBe(0xfffd);
    expect(encodeMessage(1, 1, po).readUInt16BE(20)).toBe(0xfffb);
    expect(encodeMessage(4, 1, po).readUInt32BE(12)).toBe(0xfffffffd);
    expect(encodeMessage(4, 1, po).readUInt32BE(28)).toBe(0xfffffffb);
  });
});

describe('decoding inside a larger buffer', () => {
  it('decodes [start, end) only, with views and error offsets relative to the message', () => {
    const msg = encodeMessage(4, 7, { type: 'echoRequest', data: Buffer.from('abc') });
    const big = Buffer.concat([Buffer.from('xxxxx'), msg, Buffer.from('yyy')]);
    const r = decodeMessage(big, 5, 5 + msg.length);
    expect(r).toEqual({
      ok: true,
      version: 4,
      xid: 7,
      msg: { type: 'echoRequest', data: Buffer.from('abc') },
    });
    if (r.ok && r.msg.type === 'echoRequest') expect(r.msg.data.buffer).toBe(big.buffer);

    const bad = encodeMessage(4, 8, flowMod({ match: { inPort: 1 } }));
    bad[48 + 4 + 3] = 3; // in_port OXM length 3
    const inBig = Buffer.concat([Buffer.alloc(11), bad]);
    const e = decodeMessage(inBig, 11, inBig.length);
    expect(e.ok).toBe(false);
    expect(!e.ok && e.error).toMatchObject({ code: 'bad-length', offset: 52, xid: 8 });
  });
});
