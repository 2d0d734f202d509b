// Every failure leaves the API as one JSON shape: { statusCode, error, code, message, field? }, where
// `field` names the input at fault as a JSON pointer (/body/vip_address, /querystring/limit).

import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { StoreInputError, StoreUnavailableError } from '../store/store.js';
import { ServiceError } from './providers.js';

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const notFound = (what: string): HttpError => new HttpError(404, 'not_found', `${what} not found`);

export const providerMissing = (what: string): HttpError =>
  new HttpError(503, 'unavailable', `${what} is not running in this Vigil process`);

export interface ErrorBody {
  statusCode: number;
  error: string;
  code: string;
  message: string;
  field?: string;
}

function body(statusCode: number, code: string, message: string, field?: string): ErrorBody {
  const b: ErrorBody = { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', code, message };
  if (field !== undefined) b.field = field;
  return b;
}

interface AjvIssue {
  instancePath?: string;
  keyword?: string;
  message?: string;
  params?: Record<string, unknown>;
}

/** Turns a schema validation failure into a message and the JSON pointer of the field at fault. */
export function describeValidation(
  context: string | undefined,
  issue: AjvIssue,
): { field: string; message: string } {
  let path = issue.instancePath ?? '';
  const p = issue.params ?? {};
  if (issue.keyword === 'required' && typeof p.missingProperty === 'string') path += `/${p.missingProperty}`;
  if (issue.keyword === 'additionalProperties' && typeof p.additionalProperty === 'string') {
    path += `/${p.additionalProperty}`;
    return {
      field: `/${context ?? 'body'}${path}`,
      message: `/${context ?? 'body'}${path} is not a known field`,
    };
  }
  const field = `/${context ?? 'body'}${path}`;
  let why = issue.message ?? 'is invalid';
  if (issue.keyword === 'enum' && Array.isArray(p.allowedValues))
    why = `must be one of ${p.allowedValues.join(', ')}`;
  return { field, message: `${field} ${why}` };
}

export function errorToBody(err: unknown, log: Logger): ErrorBody {
  if (err instanceof HttpError) return body(err.statusCode, err.code, err.message, err.field);
  if (err instanceof ServiceError) {
    if (err.kind === 'not_found') return body(404, 'not_found', err.message);
    if (err.kind === 'conflict') return body(409, 'conflict', err.message);
    return body(400, 'invalid_input', err.message, err.field ? `/body/${err.field}` : undefined);
  }
  if (err instanceof StoreInputError) return body(400, 'invalid_input', err.message);
  if (err instanceof StoreUnavailableError) return body(503, 'store_unavailable', err.message);
  const fe = err as FastifyError & { validationContext?: string };
  if (fe && Array.isArray(fe.validation) && fe.validation.length > 0) {
    const { field, message } = describeValidation(fe.validationContext, fe.validation[0] as AjvIssue);
    return body(400, 'invalid_input', message, field);
  }
  if (fe?.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return body(413, 'body_too_large', fe.message);
  if (fe?.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return body(415, 'unsupported_media_type', fe.message);
  if (typeof fe?.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return body(fe.statusCode, 'bad_request', fe.message);
  }
  log.error({ err }, 'api: request failed');
  return body(500, 'internal', 'internal error; see the Vigil log');
}

export function sendError(reply: FastifyReply, b: ErrorBody): FastifyReply {
  return reply.code(b.statusCode).type('application/json; charset=utf-8').send(b);
}

export function errorHandler(log: Logger) {
  return (err: unknown, _req: FastifyRequest, reply: FastifyReply): FastifyReply =>
    sendError(reply, errorToBody(err, log));
}
