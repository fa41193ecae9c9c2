import type { Client } from '@temporalio/client';
import type { AppConfig } from '../config';
import type { Logger } from '../config/logger';
import type { Pool } from '../db/pool';
import type { ApiMetrics } from '../observability/api-metrics';
import type { RateLimits } from './rate-limits';

/** What the API is built over (api/server.ts, tests). */
export interface ApiDeps {
  config: AppConfig;
  pool: Pool;
  temporal: Client;
  log: Logger;
  now: () => number;
}

/** What the API's routes are built over: the dependencies plus the process's metrics and rate limits (api/app.ts). */
export interface ApiContext extends ApiDeps {
  metrics: ApiMetrics;
  limits: RateLimits;
}
