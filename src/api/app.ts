// The fastify instance type every route file receives, and what routes share.

import type {
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Logger } from 'pino';
import type { Store } from '../store/store.js';
import type { BalancerService, InternalsView, SwitchView, TrafficView } from './providers.js';
import { providerMissing } from './errors.js';

export type ApiApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  Logger,
  TypeBoxTypeProvider
>;

export const V1 = '/api/v1';

/** What the API reads and drives. Only the store is required. */
export interface ApiDeps {
  store: Store;
  switches?: SwitchView;
  traffic?: TrafficView;
  balancer?: BalancerService;
  internals?: InternalsView;
}

/** The provider, or a 503 that says which part of Vigil is missing. */
export function need<T>(provider: T | undefined, what: string): T {
  if (provider === undefined) throw providerMissing(what);
  return provider;
}

/** Marks a route as a change, for the OpenAPI document. */
export const CHANGE_SECURITY = [{ bearer: [] as string[] }];
