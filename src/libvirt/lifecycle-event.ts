// DOMAIN_EVENT_CALLBACK_LIFECYCLE (procedure 318), sent as VIR_NET_MESSAGE with serial 0:
// remote_domain_event_callback_lifecycle_msg { int callbackID; remote_domain_event_lifecycle_msg msg; }
// and remote_domain_event_lifecycle_msg { remote_nonnull_domain dom; int event; int detail; }.

import type { XdrWriter } from '../xdr/writer.js';
import { lifecycleEventName, type LifecycleEventName } from './constants.js';
import { decodeBody } from './decode-body.js';
import { readDomain, writeDomain, type DomainRef } from './domain.js';
import type { Decoded } from './errors.js';

export interface LifecycleEvent {
  /** The id CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY returned. */
  callbackId: number;
  domain: DomainRef;
  /** virDomainEventType (0 defined ... 8 crashed). */
  event: number;
  /** The event's reason, e.g. for stopped: 0 shutdown, 1 destroyed, 2 crashed, 3 migrated, 4 saved, 5 failed. */
  detail: number;
  name: LifecycleEventName;
}

export function decodeLifecycleEvent(body: Buffer): Decoded<LifecycleEvent> {
  return decodeBody(body, 'remote_domain_event_callback_lifecycle_msg', (r) => {
    const callbackId = r.int32();
    const domain = readDomain(r);
    const event = r.int32();
    const detail = r.int32();
    return { callbackId, domain, event, detail, name: lifecycleEventName(event) };
  });
}

export function writeLifecycleEvent(
  w: XdrWriter,
  e: { callbackId: number; domain: DomainRef; event: number; detail: number },
): void {
  w.int32(e.callbackId);
  writeDomain(w, e.domain);
  w.int32(e.event).int32(e.detail);
}
