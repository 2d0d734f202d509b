import { afterEach, describe, expect, it } from 'vitest';
import { APP_ID, appCookie, cookieAppId } from '../../src/controller/cookies.js';
import { Controller } from '../../src/controller/controller.js';
import { FlowBook } from '../../src/controller/flow-book.js';
import { SESSION_DEFAULTS } from '../../src/controller/switch-session.js';
import { portRates } from '../../src/controller/switch-stats.js';
import { OFPRR, flowMod, type FlowStats, type PortStats } from '../../src/openflow/index.js';
import { FakeSwitch, memoryLogger, until } from './fake-switch.js';

function portStats(
  portNo: number,
  rxBytes: bigint,
  txBytes: bigint,
  rxPackets = 0n,
  txPackets = 0n,
): PortStats {
  return {
    portNo,
    rxPackets,
    txPackets,
    rxBytes,
    txBytes,
    rxDropped: 0n,
    txDropped: 0n,
    rxErrors: 0n,
    txErrors: 0n,
    rxFrameErr: 0n,
    rxOverErr: 0n,
    rxCrcErr: 0n,
    collisions: 0n,
    durationSec: 1,
    durationNsec: 0,
  };
}

const FLOW: FlowStats = {
  tableId: 0,
  durationSec: 3,
  durationNsec: 0,
  priority: 100,
  idleTimeout: 60,
  hardTimeout: 0,
  flags: 1,
  cookie: appCookie(APP_ID.L2_LEARNING, 7),
  packetCount: 10n,
  byteCount: 980n,
  match: { inPort: 1, ethDst: 2 },
  instructions: [],
};

describe('cookies', () => {
  it('name the owning app and round-trip its value', () => {
    const c = appCookie(APP_ID.ARP_RESPONDER, 0xdeadbeef);
    expect(c).toBe(0x5647_0003_dead_beefn);
    expect(cookieAppId(c)).toBe(APP_ID.ARP_RESPONDER);
    expect(cookieAppId(0x1234n)).toBeUndefined();
  });
});

describe('port rates', () => {
  it('computes per-second rates between samples and treats counter resets as zero', () => {
    const r = portRates(
      [portStats(1, 1000n, 0n, 10n, 0n), portStats(2, 500n, 500n)],
      [portStats(1, 3000n, 100n, 30n, 1n), portStats(2, 100n, 900n), portStats(3, 1n, 1n)],
      2000,
    );
    expect(r).toEqual([
      { portNo: 1, rxBytesPerSec: 1000, txBytesPerSec: 50, rxPacketsPerSec: 10, txPacketsPerSec: 0.5 },
      { portNo: 2, rxBytesPerSec: 0, txBytesPerSec: 200, rxPacketsPerSec: 0, txPacketsPerSec: 0 },
    ]);
    expect(portRates([], [], 0)).toEqual([]);
  });
});

describe('flow book', () => {
  it('counts adds, deletes and removals per cookie', () => {
    const b = new FlowBook();
    const cookie = appCookie(APP_ID.L2_LEARNING);
    b.sent(1n, flowMod({ cookie }));
    b.sent(1n, flowMod({ cookie }));
    b.sent(1n, flowMod({ command: 'delete', cookie }));
    b.removed(1n, {
      type: 'flowRemoved',
      cookie,
      priority: 1,
      reason: OFPRR.IDLE_TIMEOUT,
      tableId: 0,
      durationSec: 1,
      durationNsec: 0,
      idleTimeout: 1,
      hardTimeout: 0,
      packetCount: 0n,
      byteCount: 0n,
      match: {},
    });
    expect(b.accounts(1n)).toEqual([
      { cookie, added: 2, deletesSent: 1, removedIdle: 1, removedHard: 0, removedDelete: 0, live: 1 },
    ]);
    // Cookies that differ only in the app-defined bits share one account.
    b.sent(1n, flowMod({ cookie: appCookie(APP_ID.L2_LEARNING, 99) }));
    expect(b.accounts(1n)).toHaveLength(1);
    expect(b.accounts(1n)[0]!.added).toBe(3);
    b.sent(1n, flowMod({ cookie: appCookie(APP_ID.ARP_RESPONDER, 99) }));
    expect(b.accounts(1n).map((a) => a.cookie)).toEqual([cookie, appCookie(APP_ID.ARP_RESPONDER)]);
    b.forget(1n);
    expect(b.accounts(1n)).toEqual([]);
  });
});

describe('statistics polling', () => {
  let controller: Controller | undefined;
  let sw: FakeSwitch | undefined;
  afterEach(async () => {
    sw?.close();
    await controller?.close();
  });

  it('stores flow and port statistics per switch, with rates, and counts failed polls', async () => {
    const { log } = memoryLogger();
    const c = new Controller(
      {
        host: '127.0.0.1',
        port: 0,
        discoveryIntervalMs: 0,
        statsIntervalMs: 100,
        session: { ...SESSION_DEFAULTS, requestTimeoutMs: 300 },
      },
      log,
    );
    controller = c;
    const { port } = await c.listen();
    let rx = 0n;
    sw = await FakeSwitch.connect(port, {
      datapathId: 77n,
      version: 4,
      flowStats: { kind: 'flow', flows: [FLOW] },
      get portStats() {
        rx += 10_000n;
        return { kind: 'port' as const, ports: [portStats(1, rx, 0n)] };
      },
    });
    await until(() => (c.stats.get(77n)?.polls ?? 0) >= 3, 3000, 'three polls');
    const st = c.stats.get(77n)!;
    expect(st.flows!.flows).toEqual([FLOW]);
    expect(st.ports!.ports[0]!.portNo).toBe(1);
    expect(st.portRates).toHaveLength(1);
    expect(st.portRates[0]!.rxBytesPerSec).toBeGreaterThan(10_000); // 10 kB per ~100 ms poll
    expect(st.failures).toBe(0);
    sw.answerStats = false;
    await until(() => (c.stats.get(77n)?.failures ?? 0) >= 1, 3000, 'a failed poll');
    expect(c.datapath(77n)).toBeDefined();
  });

  it('accounts flow-removed messages from the switch', async () => {
    const { log } = memoryLogger();
    const c = new Controller({ host: '127.0.0.1', port: 0, discoveryIntervalMs: 0, statsIntervalMs: 0 }, log);
    controller = c;
    const { port } = await c.listen();
    sw = await FakeSwitch.connect(port, { datapathId: 78n, version: 1 });
    await until(() => c.datapath(78n) !== undefined);
    const cookie = appCookie(APP_ID.L2_LEARNING);
    c.send({ datapathId: 78n, message: flowMod({ cookie, match: { ethDst: 5 } }) });
    sw.send({
      type: 'flowRemoved',
      cookie,
      priority: 0x8000,
      reason: OFPRR.IDLE_TIMEOUT,
      tableId: 0,
      durationSec: 5,
      durationNsec: 0,
      idleTimeout: 5,
      hardTimeout: 0,
      packetCount: 3n,
      byteCount: 300n,
      match: { ethDst: 5 },
    });
    await until(
      () => c.flowBook.accounts(78n).some((a) => a.cookie === cookie && a.removedIdle === 1),
      3000,
      'flow removal counted',
    );
    expect(c.flowBook.accounts(78n).find((a) => a.cookie === cookie)).toMatchObject({ added: 1, live: 0 });
  });
});
