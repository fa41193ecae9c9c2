import { LivenessAnswerSchema, PublicReadinessAnswerSchema, ReadinessAnswerSchema } from '../../observability/health';
import type { OperationSpec } from './operations';

const liveness: OperationSpec = {
  method: 'get', path: '/healthz', operationId: 'liveness', tag: 'operations',
  summary: 'Liveness: the process serves HTTP',
  answer: { name: 'LivenessAnswer', schema: LivenessAnswerSchema },
};

const documentation: readonly OperationSpec[] = [
  {
    method: 'get', path: '/openapi.json', operationId: 'openApiDocument', tag: 'operations',
    summary: 'This document',
    answer: { mediaType: 'application/json', description: 'OpenAPI 3.1 document' },
  },
  {
    method: 'get', path: '/docs', operationId: 'apiDocs', tag: 'operations',
    summary: 'This document as an HTML page',
    answer: { mediaType: 'text/html', description: 'Self-contained HTML page' },
  },
];

/** Health and documentation on the merchant listener (API_PORT): ready or not, never why. */
export const MERCHANT_OPS_OPERATIONS: readonly OperationSpec[] = [
  liveness,
  {
    method: 'get', path: '/readyz', operationId: 'readiness', tag: 'operations',
    summary: 'Readiness: the API can serve (for load balancers)',
    description: 'HTTP 503 with status "unavailable" when a dependency does not answer; the reasons are on the admin listener only.',
    answer: { name: 'PublicReadinessAnswer', schema: PublicReadinessAnswerSchema },
  },
  ...documentation,
];

/** Health, metrics and documentation on the admin listener (ADMIN_PORT); the worker serves the first three on WORKER_HTTP_PORT. */
export const ADMIN_OPS_OPERATIONS: readonly OperationSpec[] = [
  liveness,
  {
    method: 'get', path: '/readyz', operationId: 'readiness', tag: 'operations',
    summary: 'Readiness: PostgreSQL and the Temporal frontend answer (worker: also polling its task queue)',
    description: 'HTTP 503 with the same body when a check fails or takes longer than 3 s; the body names the failed checks and why.',
    answer: { name: 'ReadinessAnswer', schema: ReadinessAnswerSchema },
  },
  {
    method: 'get', path: '/metrics', operationId: 'metrics', tag: 'operations',
    summary: 'Prometheus metrics of this process',
    answer: { mediaType: 'text/plain', description: 'Prometheus text exposition format' },
  },
  ...documentation,
];
