import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { encodeDatagram } from '../../src/sflow/datagram-encoder.js';
import type { FlowSample } from '../../src/sflow/types.js';
import { VnicSflowTally } from '../../src/lab/vnic-sflow-tally.js';

function flow(inputIfIndex: number, frameLength: number, samplingRate: number): FlowSample {
  const header = Buffer.alloc(64);
  Buffer.from([0x02, 0, 0, 0, 0, 0x65, 0x52, 0x54, 0, 0xd5, 0x0a, 0x0b, 0x08, 0x00]).copy(header);
  return {
    kind: 'flow',
    expanded: false,
    sequence: 1,
    sourceIdType: 0,
    sourceIdIndex: 1000,
    samplingRate,
    samplePool: 0,
    drops: 0,
    input: { format: 0, value: inputIfIndex },
    output: { format: 0, value: 7 },
    records: [
      {
        type: 'raw-packet-header',
        headerProtocol: 1,
        frameLength,
        stripped: 4,
        headerLength: 64,
        header,
        decoded: undefined,
      },
    ],
  };
}

function datagram(samples: FlowSample[], subAgentId = 0): Buffer {
  return encodeDatagram({ agent: '127.0.0.1', subAgentId, sequence: 1, uptimeMs: 1000, samples });
}

describe('VnicSflowTally', () => {
  it('estimates bytes per VM from samples taken at its vNIC, without the FCS', () => {
    const t = new VnicSflowTally(
      new Map([
        [41, 'vm1'],
        [42, 'vm2'],
      ]),
    );
    expect(t.add(datagram([flow(41, 1518, 64), flow(41, 70, 64), flow(42, 1518, 16)]))).toBe(true);
    expect(t.snapshot()).toEqual({
      vm1: { bytes: (1514 + 66) * 64, samples: 2 },
      vm2: { bytes: 1514 * 16, samples: 1 },
    });
  });

  it('counts a frame once: samples where it re-enters the other bridge (link port) are left out', () => {
    const t = new VnicSflowTally(new Map([[41, 'vm1']]));
    // The same frame sampled at the vNIC on node 1 and at the link port (ifindex 40) on node 2.
    t.add(datagram([flow(41, 1518, 64)], 0));
    t.add(datagram([flow(40, 1518, 64)], 1));
    expect(t.snapshot().vm1).toEqual({ bytes: 1514 * 64, samples: 1 });
    expect(t.otherSamples).toBe(1);
  });

  it('counts undecodable datagrams and keeps going; random and mutated bytes never throw', () => {
    const t = new VnicSflowTally(new Map([[41, 'vm1']]));
    const good = datagram([flow(41, 1518, 64), flow(41, 600, 64)]);
    expect(t.add(Buffer.from('not sflow'))).toBe(false);
    expect(t.rejected).toBe(1);
    fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), (b) => void t.add(Buffer.from(b))));
    fc.assert(
      fc.property(
        fc.nat(good.length - 1),
        fc.integer({ min: 0, max: 255 }),
        fc.nat(good.length),
        (at, byte, cut) => {
          const m = Buffer.from(good.subarray(0, Math.max(cut, at + 1)));
          m[at] = byte;
          t.add(m);
        },
      ),
    );
    const before = t.snapshot().vm1!.bytes;
    t.add(good);
    expect(t.snapshot().vm1!.bytes - before).toBe((1514 + 596) * 64);
  });
});
