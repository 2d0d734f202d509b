// Publishes what happens to the switches on the store's events channel, so the dashboard and other
// processes hear of it without polling: switch_up, switch_down, links_changed.

import type { ControllerApp, DatapathInfo, SwitchLink } from '../controller/app-api.js';
import { formatDatapathId } from '../controller/switch-session.js';
import type { Logger } from '../log/logger.js';
import { Channels, type Store } from '../store/store.js';

export class ControllerEventsApp implements ControllerApp {
  readonly name = 'events';
  /** Sees no packet-ins. */
  readonly order = 1_000_000;

  constructor(
    private readonly store: Store,
    private readonly log: Logger,
  ) {}

  private publish(event: Record<string, unknown>): void {
    this.store
      .publish(Channels.events, { time: Date.now(), ...event })
      .catch((err: Error) => this.log.debug({ err: err.message, event: event.type }, 'event publish failed'));
  }

  onSwitchUp(dp: DatapathInfo): void {
    this.publish({
      type: 'switch_up',
      datapath_id: formatDatapathId(dp.datapathId),
      version: dp.version === 0x01 ? '1.0' : '1.3',
      peer: dp.peer,
      ports: dp.ports.size,
    });
  }

  onSwitchDown(datapathId: bigint): void {
    this.publish({ type: 'switch_down', datapath_id: formatDatapathId(datapathId) });
  }

  onLinksChanged(links: readonly SwitchLink[]): void {
    this.publish({
      type: 'links_changed',
      links: links.map((l) => ({
        src: formatDatapathId(l.src),
        src_port: l.srcPort,
        dst: formatDatapathId(l.dst),
        dst_port: l.dstPort,
      })),
    });
  }
}
