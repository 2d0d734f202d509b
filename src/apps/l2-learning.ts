// The L2 learning app: a thin adapter from controller events to the pure policy in l2-learning-policy.ts.

import type {
  ControllerApi,
  ControllerApp,
  PacketInEvent,
  PacketInVerdict,
  PortStatusEvent,
} from '../controller/app-api.js';
import { APP_COOKIE_MASK, APP_ID, appCookie } from '../controller/cookies.js';
import { NO_VLAN, decodeEthernetInto } from '../net/ethernet.js';
import { PacketError } from '../net/packet-error.js';
import { OFPPC, OFPPR, OFPPS } from '../openflow/model.js';
import {
  L2_DEFAULTS,
  L2State,
  l2Age,
  l2PacketIn,
  l2PortDown,
  l2SwitchDown,
  type L2LearningOptions,
  type L2PacketIn,
} from './l2-learning-policy.js';

export const L2_LEARNING = 'l2-learning';

export class L2LearningApp implements ControllerApp {
  readonly name = L2_LEARNING;
  readonly order = 100;
  readonly state = new L2State();
  readonly opts: L2LearningOptions;
  private api: ControllerApi | undefined;
  private ageTimer: NodeJS.Timeout | undefined;
  private readonly input: L2PacketIn = {
    datapathId: 0n,
    inPort: 0,
    bufferId: 0,
    data: Buffer.alloc(0),
    eth: { dst: 0, src: 0, vlanVid: NO_VLAN, vlanPcp: 0, ethType: 0, payloadOffset: 0 },
  };

  constructor(opts: Partial<L2LearningOptions> = {}) {
    this.opts = {
      ...L2_DEFAULTS,
      cookie: appCookie(APP_ID.L2_LEARNING),
      cookieMask: APP_COOKIE_MASK,
      ...opts,
    };
  }

  start(api: ControllerApi): void {
    this.api = api;
    this.ageTimer = setInterval(
      () => l2Age(this.state, this.opts, performance.now()),
      Math.max(1000, this.opts.macAgeMs / 4),
    );
    this.ageTimer.unref();
  }

  stop(): void {
    if (this.ageTimer) clearInterval(this.ageTimer);
  }

  onPacketIn(ev: PacketInEvent): PacketInVerdict {
    // Only the Ethernet header matters here. The policy keeps neither the header nor the input object,
    // so both are reused from one packet-in to the next.
    const input = this.input;
    const eth = decodeEthernetInto(input.eth, ev.msg.data);
    if (eth instanceof PacketError) return 'continue';
    input.datapathId = ev.datapathId;
    input.inPort = ev.inPort;
    input.bufferId = ev.msg.bufferId;
    input.data = ev.msg.data;
    const api = this.api!;
    api.sendAll(l2PacketIn(this.state, this.opts, ev.now, input, api));
    return 'stop';
  }

  onPortStatus(ev: PortStatusEvent): void {
    const port = ev.msg.port;
    const down =
      ev.msg.reason === OFPPR.DELETE ||
      (port.state & OFPPS.LINK_DOWN) !== 0 ||
      (port.config & OFPPC.PORT_DOWN) !== 0;
    if (down) this.api!.sendAll(l2PortDown(this.state, this.opts, ev.datapathId, port.portNo));
  }

  onSwitchDown(datapathId: bigint): void {
    l2SwitchDown(this.state, datapathId);
  }
}
