// Traffic estimated from sFlow: the heaviest flows and each VM's rates.

import Type from 'typebox';
import { V1, need, type ApiApp, type ApiDeps } from '../app.js';
import { errorResponses } from '../schemas/common.js';
import { TrafficFlow, VmTraffic } from '../schemas/traffic.js';

export function trafficRoutes(app: ApiApp, deps: ApiDeps): void {
  const view = () => need(deps.traffic, 'the sFlow collector');

  app.get(
    `${V1}/traffic/flows`,
    {
      schema: {
        tags: ['traffic'],
        summary: 'Top flows by bytes or packets per second, from sFlow samples',
        querystring: Type.Object(
          {
            limit: Type.Integer({ minimum: 1, maximum: 1000, default: 20 }),
            by: Type.Enum(['bytes', 'packets'], { default: 'bytes' }),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ window_seconds: Type.Number(), flows: Type.Array(TrafficFlow) }),
          ...errorResponses(400, 401, 503),
        },
      },
    },
    async (req) => {
      const v = view();
      const flows = await v.topFlows({ limit: req.query.limit, by: req.query.by });
      return { window_seconds: v.windowSeconds, flows: flows.slice(0, req.query.limit) };
    },
  );

  app.get(
    `${V1}/traffic/vms`,
    {
      schema: {
        tags: ['traffic'],
        summary: 'Per-VM traffic estimated from sFlow samples (by MAC)',
        response: {
          200: Type.Object({ window_seconds: Type.Number(), vms: Type.Array(VmTraffic) }),
          ...errorResponses(401, 503),
        },
      },
    },
    async () => {
      const v = view();
      return { window_seconds: v.windowSeconds, vms: await v.vmTraffic() };
    },
  );
}
