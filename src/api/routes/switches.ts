// Switches: datapaths with ports and port counters, and each datapath's flow table.

import Type from 'typebox';
import { V1, need, type ApiApp, type ApiDeps } from '../app.js';
import { notFound } from '../errors.js';
import { errorResponses } from '../schemas/common.js';
import { Datapath, DatapathId, FlowEntry, canonicalDatapathId } from '../schemas/switches.js';

const DpidParams = Type.Object({ dpid: DatapathId }, { additionalProperties: false });

export function switchRoutes(app: ApiApp, deps: ApiDeps): void {
  const view = () => need(deps.switches, 'the OpenFlow controller');

  app.get(
    `${V1}/switches`,
    {
      schema: {
        tags: ['switches'],
        summary: 'Connected switches with their ports and port counters',
        response: { 200: Type.Object({ switches: Type.Array(Datapath) }), ...errorResponses(401, 503) },
      },
    },
    async () => ({ switches: await view().datapaths() }),
  );

  app.get(
    `${V1}/switches/:dpid`,
    {
      schema: {
        tags: ['switches'],
        summary: 'One switch',
        params: DpidParams,
        response: { 200: Type.Object({ switch: Datapath }), ...errorResponses(400, 401, 404, 503) },
      },
    },
    async (req) => {
      const id = canonicalDatapathId(req.params.dpid);
      const dp = await view().datapath(id);
      if (!dp) throw notFound(`switch ${id}`);
      return { switch: dp };
    },
  );

  app.get(
    `${V1}/switches/:dpid/flows`,
    {
      schema: {
        tags: ['switches'],
        summary: 'The switch’s flow table, as a flow statistics request returns it',
        params: DpidParams,
        querystring: Type.Object(
          { table_id: Type.Optional(Type.Integer({ minimum: 0, maximum: 254 })) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ datapath_id: Type.String(), flows: Type.Array(FlowEntry) }),
          ...errorResponses(400, 401, 404, 503),
        },
      },
    },
    async (req) => {
      const id = canonicalDatapathId(req.params.dpid);
      const flows = await view().flowTable(id);
      if (!flows) throw notFound(`switch ${id}`);
      const t = req.query.table_id;
      return { datapath_id: id, flows: t === undefined ? flows : flows.filter((f) => f.table_id === t) };
    },
  );
}
