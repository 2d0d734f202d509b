// The operator surfaces, as `vigil up` uses them:
//
//   const { app } = await createApiServer({ store, switches, traffic, balancer, internals }, {
//     token, readOnly, readsNeedToken, logger, version });
//   await app.listen(parseEndpoint(listen));
//
// Providers (all optional): SwitchView, TrafficView, BalancerService (throws ServiceError), InternalsView.
// openflow-view.ts turns the controller's OpenFlow model into the SwitchView shapes.

export {
  createApiServer,
  parseEndpoint,
  DEFAULT_BODY_LIMIT,
  type ApiOptions,
  type ApiServer,
} from './server.js';
export type { ApiDeps } from './app.js';
export {
  ServiceError,
  type BalancerService,
  type Internals,
  type InternalsView,
  type LibvirtPollFigures,
  type SwitchView,
  type TrafficView,
} from './providers.js';
export { DEFAULT_EVENT_STREAM, type EventStreamOptions } from './event-stream.js';
export {
  actionText,
  cookieOwner,
  datapathView,
  flowEntryView,
  instructionsText,
  matchView,
  portView,
  type DatapathSnapshot,
} from './openflow-view.js';
export type * from './schemas/balancer.js';
export type { Datapath, FlowEntry, PortStats, SwitchPort } from './schemas/switches.js';
export type { TrafficFlow, VmTraffic } from './schemas/traffic.js';
export type { ComputeHost, Vm } from './schemas/vms.js';
