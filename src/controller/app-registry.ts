// The apps a controller runs, in packet-in order. Each call into an app is isolated: an exception in one
// app is logged and the next app still runs.

import type { Logger } from 'pino';
import type { ControllerApp, PacketInEvent, PacketInVerdict } from './app-api.js';

export class AppRegistry {
  private apps: ControllerApp[] = [];
  private packetInApps: ControllerApp[] = [];

  constructor(private readonly log: Logger) {}

  register(app: ControllerApp): void {
    if (this.apps.some((a) => a.name === app.name)) throw new Error(`app ${app.name} registered twice`);
    this.apps = [...this.apps, app].sort((a, b) => a.order - b.order);
    this.packetInApps = this.apps.filter((a) => a.onPacketIn !== undefined);
  }

  list(): readonly ControllerApp[] {
    return this.apps;
  }

  get(name: string): ControllerApp | undefined {
    return this.apps.find((a) => a.name === name);
  }

  /** Calls fn on every app, catching and logging what an app throws. */
  each(what: string, fn: (app: ControllerApp) => void): void {
    for (const app of this.apps) {
      try {
        fn(app);
      } catch (err) {
        this.log.error({ err, app: app.name }, `app failed in ${what}`);
      }
    }
  }

  packetIn(ev: PacketInEvent): void {
    const apps = this.packetInApps;
    for (let i = 0; i < apps.length; i++) {
      const app = apps[i]!;
      let verdict: PacketInVerdict;
      try {
        verdict = app.onPacketIn!(ev);
      } catch (err) {
        this.log.error({ err, app: app.name }, 'app failed in packet-in');
        continue;
      }
      if (verdict === 'stop') return;
    }
  }
}
