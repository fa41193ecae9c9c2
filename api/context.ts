import type { Client } from '@temporalio/client';
import type { AppConfig } from '../config';
import type { Logger } from '../config/logger';
import type { Pool } from '../db/pool';

/** What the API's routes are built over. */
export interface ApiContext {
  config: AppConfig;
  pool: Pool;
  temporal: Client;
  log: Logger;
  now: () => number;
}
