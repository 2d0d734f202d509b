// Traffic as sFlow sees it: the heaviest flows and per-VM estimates, scaled up by the sampling rate. The
// shapes are the store's (collectors' enrichers write them, src/store/vm-traffic.ts), served as they are.

export { MacTraffic as VmTraffic, TrafficFlow } from '../../store/vm-traffic.js';
