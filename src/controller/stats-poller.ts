// Polls every switch for flow and port statistics at a fixed interval (like Gauge's pollers: send the
// request, store the reply, count a missing reply), one switch's failure never stopping the others.

import type { Logger } from 'pino';
import { allFlows, OFPP, type FlowStats, type PortStats } from '../openflow/index.js';
import type { ControllerApi } from './app-api.js';
import { formatDatapathId } from './switch-session.js';
import type { SwitchStatsStore } from './switch-stats.js';

export class StatsPoller {
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(
    private readonly api: Pick<ControllerApi, 'datapaths' | 'requestStats'>,
    private readonly store: SwitchStatsStore,
    private readonly intervalMs: number,
    private readonly log: Logger,
    private readonly clock: () => number = () => Date.now(),
    /** Every flow of a switch, as each poll read them. */
    private readonly onFlows: (
      datapathId: bigint,
      now: number,
      flows: readonly FlowStats[],
    ) => void = () => {},
  ) {}

  start(): void {
    if (this.timer || this.intervalMs <= 0) return;
    this.timer = setInterval(() => void this.pollAll(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One round over every switch; a round still running when the next is due is skipped. */
  async pollAll(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      await Promise.all([...this.api.datapaths()].map((dp) => this.poll(dp.datapathId)));
    } finally {
      this.running = false;
    }
  }

  async poll(datapathId: bigint): Promise<void> {
    try {
      const [flowBodies, portBodies] = await Promise.all([
        this.api.requestStats(datapathId, { kind: 'flow', ...allFlows() }),
        this.api.requestStats(datapathId, { kind: 'port', portNo: OFPP.ANY }),
      ]);
      const flows: FlowStats[] = [];
      for (const b of flowBodies) if (b.kind === 'flow') flows.push(...b.flows);
      const ports: PortStats[] = [];
      for (const b of portBodies) if (b.kind === 'port') ports.push(...b.ports);
      const now = this.clock();
      this.store.putFlows(datapathId, now, flows);
      this.store.putPorts(datapathId, now, ports);
      this.onFlows(datapathId, now, flows);
    } catch (err) {
      this.store.failed(datapathId);
      this.log.warn(
        { dpid: formatDatapathId(datapathId), err: (err as Error).message },
        'statistics poll failed',
      );
    }
  }
}
