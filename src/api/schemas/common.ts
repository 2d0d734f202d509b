// Shapes shared by every route: identifiers, errors, timestamps.

import Type from 'typebox';

/** Object identifiers: what the store accepts as a record id. */
export const Id = Type.String({ pattern: '^[A-Za-z0-9_.:@%+-]{1,64}$', description: 'object identifier' });

export const IdParams = Type.Object({ id: Id }, { additionalProperties: false });

/** RFC 3339 time, as Octavia writes created_at / updated_at. */
export const Timestamp = Type.String({ format: 'date-time', description: 'RFC 3339 time (UTC)' });

/** Milliseconds since the epoch. */
export const EpochMs = Type.Number({ minimum: 0, description: 'milliseconds since the epoch' });

export const Ipv4Address = Type.String({ format: 'ipv4', description: 'IPv4 address' });

export const MacAddress = Type.String({
  pattern: '^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$',
  description: 'Ethernet address, colon separated',
});

export const ErrorBody = Type.Object(
  {
    statusCode: Type.Integer(),
    error: Type.String({ description: 'HTTP reason phrase' }),
    code: Type.String({ description: 'machine-readable error code' }),
    message: Type.String(),
    field: Type.Optional(Type.String({ description: 'the input field at fault, as a JSON pointer' })),
  },
  { description: 'an error' },
);

/** The error responses every route may give, for the OpenAPI document. */
export function errorResponses(...codes: number[]): Record<number, typeof ErrorBody> {
  const out: Record<number, typeof ErrorBody> = {};
  for (const c of codes) out[c] = ErrorBody;
  return out;
}
