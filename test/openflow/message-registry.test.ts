// Each version's message table: which type codes it reads, what it says of the others, and what it
// refuses to write. The codes are the specs' (OF1.0 spec 5.1, OF1.3 spec 7.1), written here by hand.

import { describe, expect, it } from 'vitest';
import { errorMessage, hello } from '../../src/openflow/common-messages.js';
import { decodeMessage, encodeMessage } from '../../src/openflow/codec.js';
import { OfEncodeError } from '../../src/openflow/errors.js';
import { OF10, OF13, tableOf } from '../../src/openflow/message-registry.js';
import { MessageTable, type TableEntries } from '../../src/openflow/message-table.js';
import type { OfMessage, OfVersion } from '../../src/openflow/model.js';
import * as of10 from '../../src/openflow/of10/messages.js';
import * as of13 from '../../src/openflow/of13/messages.js';

/** OFPT_* codes each version defines and this codec reads (1.0: not PORT_MOD 15, QUEUE_GET_CONFIG 20/21). */
const KNOWN: Record<OfVersion, number[]> = {
  1: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 16, 17, 18, 19],
  4: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 18, 19, 20, 21, 24, 25],
};
const LABEL: Record<OfVersion, string> = { 1: 'OpenFlow 1.0', 4: 'OpenFlow 1.3' };

/** A bare header: the shortest message of any type. */
function header(version: number, type: number, xid: number): Buffer {
  const b = Buffer.alloc(8);
  b[0] = version;
  b[1] = type;
  b.writeUInt16BE(8, 2);
  b.writeUInt32BE(xid, 4);
  return b;
}

describe('message tables', () => {
  for (const version of [1, 4] as const) {
    it(`reports every type code ${LABEL[version]} does not read as bad-type, with the header fields`, () => {
      for (let type = 0; type < 256; type++) {
        if (KNOWN[version].includes(type)) continue;
        const r = decodeMessage(header(version, type, 0x1000 + type));
        expect(r).toEqual({
          ok: false,
          error: {
            code: 'bad-type',
            message: `unknown ${LABEL[version]} message type ${type}`,
            offset: 1,
            version,
            msgType: type,
            xid: 0x1000 + type,
          },
        });
      }
    });

    it(`reads every type code ${LABEL[version]} defines, by the codec its table gives the code`, () => {
      const table = tableOf(version)!;
      for (const type of KNOWN[version]) {
        expect(table.codecOf(type), `type ${type}`).toBeDefined();
        const r = decodeMessage(header(version, type, 7));
        // A bare header is a whole message for some types and a truncated body for others.
        if (!r.ok) expect(r.error.code, `type ${type}`).not.toBe('bad-type');
      }
    });
  }

  it('gives each version its own codes for the same message', () => {
    const codes = (msg: OfMessage) => [encodeMessage(1, 1, msg)[1], encodeMessage(4, 1, msg)[1]];
    expect(codes({ type: 'barrierRequest' })).toEqual([18, 20]);
    expect(codes({ type: 'barrierReply' })).toEqual([19, 21]);
    expect(codes({ type: 'multipartRequest', flags: 0, body: { kind: 'desc' } })).toEqual([16, 18]);
    expect(codes({ type: 'echoRequest', data: Buffer.alloc(0) })).toEqual([2, 2]);
    expect(encodeMessage(1, 1, { type: 'barrierRequest' })[0]).toBe(1);
    expect(encodeMessage(4, 1, { type: 'barrierRequest' })[0]).toBe(4);
  });

  it('refuses a message the version lacks by what it lacks, and a name no version knows', () => {
    const role: OfMessage = { type: 'roleRequest', role: 2, generationId: 0n };
    expect(() => encodeMessage(1, 1, role)).toThrow(new OfEncodeError('OpenFlow 1.0 has no role messages'));
    expect(encodeMessage(4, 1, role).length).toBe(24);
    const bogus = { type: 'bogus' } as unknown as OfMessage;
    for (const version of [1, 4] as const) {
      expect(() => encodeMessage(version, 1, bogus)).toThrow(new OfEncodeError('unknown message type bogus'));
    }
  });

  it('reads packet-ins with the codecs the tables hold for type 10', () => {
    expect(OF13.codecOf(10)?.read).toBe(of13.packetIn.read);
    expect(OF10.codecOf(10)?.read).toBe(of10.packetIn.read);
  });

  it('reads a HELLO of any version, and no other message of a version it does not speak', () => {
    expect(tableOf(6)).toBeUndefined();
    expect(decodeMessage(header(6, 0, 1))).toEqual({ ok: true, version: 6, xid: 1, msg: { type: 'hello' } });
    expect(decodeMessage(header(6, 5, 1))).toMatchObject({ ok: false, error: { code: 'bad-version' } });
  });

  it('refuses a table that gives two messages one type code', () => {
    const entries = { hello: [0, hello], error: [0, errorMessage] } as unknown as TableEntries;
    expect(() => new MessageTable(1, 'OpenFlow 1.0', entries)).toThrow(
      'OpenFlow 1.0: two messages of type 0',
    );
  });
});
