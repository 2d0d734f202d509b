// The API's view of the switches: the controller's datapath registry and the statistics poller's last
// readings, in the API's shapes. A flow table is read fresh from the switch (flow stats request).

import { datapathView, flowEntryView } from './openflow-view.js';
import type { SwitchView } from './providers.js';
import type { Datapath, FlowEntry } from './schemas/switches.js';
import type { Controller } from '../controller/controller.js';
import { allFlows, type FlowStats } from '../openflow/index.js';

const DATAPATH_ID = /^[0-9a-f]{16}$/;

export class ControllerSwitchView implements SwitchView {
  constructor(private readonly controller: Controller) {}

  async datapaths(): Promise<Datapath[]> {
    return [...this.controller.datapaths()]
      .sort((a, b) => (a.datapathId < b.datapathId ? -1 : 1))
      .map((d) =>
        datapathView(
          { ...d, ports: d.ports.values() },
          this.controller.stats.get(d.datapathId)?.ports?.ports ?? [],
        ),
      );
  }

  async datapath(datapathId: string): Promise<Datapath | undefined> {
    if (!DATAPATH_ID.test(datapathId)) return undefined;
    const d = this.controller.datapath(BigInt(`0x${datapathId}`));
    if (!d) return undefined;
    return datapathView(
      { ...d, ports: d.ports.values() },
      this.controller.stats.get(d.datapathId)?.ports?.ports ?? [],
    );
  }

  async flowTable(datapathId: string): Promise<FlowEntry[] | undefined> {
    if (!DATAPATH_ID.test(datapathId)) return undefined;
    const id = BigInt(`0x${datapathId}`);
    if (!this.controller.datapath(id)) return undefined;
    const replies = await this.controller.requestStats(id, { kind: 'flow', ...allFlows() });
    const flows: FlowStats[] = [];
    for (const r of replies) if (r.kind === 'flow') flows.push(...r.flows);
    return flows.map(flowEntryView);
  }
}
