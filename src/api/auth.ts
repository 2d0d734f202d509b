// Who may do what. RFC 6750 bearer tokens: every change needs the token; reads need it only when the
// operator says so. With no token configured, changes are refused (there is nobody to authorise).

import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendError } from './errors.js';

export interface AuthOptions {
  /** The bearer token; empty or absent disables every change. */
  token?: string;
  readOnly?: boolean;
  readsNeedToken?: boolean;
}

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Paths that carry data; the dashboard's files and the API documentation carry none. */
function carriesData(url: string): boolean {
  return url.startsWith('/api/') || url === '/metrics' || url.startsWith('/metrics?');
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

export type AuthVerdict =
  { ok: true } | { ok: false; status: 401 | 403; code: string; message: string; challenge?: string };

/** The decision alone: method, path and Authorization header in, verdict out. */
export function authorize(
  opts: AuthOptions,
  method: string,
  url: string,
  authorization: string | undefined,
): AuthVerdict {
  const isRead = READ_METHODS.has(method);
  if (isRead && !(opts.readsNeedToken && carriesData(url))) return { ok: true };
  if (!isRead && opts.readOnly) {
    return {
      ok: false,
      status: 403,
      code: 'read_only',
      message: 'this Vigil API is read-only: changes are refused',
    };
  }
  if (!opts.token) {
    return {
      ok: false,
      status: 403,
      code: 'changes_disabled',
      message: 'no API token is configured (api.token or VIGIL_API_TOKEN), so the API refuses this request',
    };
  }
  // RFC 6750 2.1: Authorization: Bearer <token>; the scheme is case-insensitive.
  const m = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(authorization ?? '');
  if (!m) {
    return {
      ok: false,
      status: 401,
      code: 'unauthorized',
      message: 'this request needs an "Authorization: Bearer <token>" header',
      challenge: 'Bearer realm="vigil"',
    };
  }
  if (!timingSafeEqual(digest(m[1]!), digest(opts.token))) {
    return {
      ok: false,
      status: 401,
      code: 'invalid_token',
      message: 'the bearer token is not valid',
      challenge: 'Bearer realm="vigil", error="invalid_token"',
    };
  }
  return { ok: true };
}

export function authHook(opts: AuthOptions) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    const v = authorize(opts, req.method, req.url, req.headers.authorization);
    if (v.ok) return undefined;
    if (v.challenge) reply.header('www-authenticate', v.challenge);
    return sendError(reply, {
      statusCode: v.status,
      error: v.status === 401 ? 'Unauthorized' : 'Forbidden',
      code: v.code,
      message: v.message,
    });
  };
}
