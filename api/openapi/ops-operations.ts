import { LivenessAnswerSchema, ReadinessAnswerSchema } from '../../observability/health';
import type { OperationSpec } from './operations';

/** Health, metrics and documentation endpoints of the API (the worker serves the first three on WORKER_HTTP_PORT). */
export const OPS_OPERATIONS: readonly OperationSpec[] = [
  {
    method: 'get', path: '/healthz', operationId: 'liveness', tag: 'operations',
    summary: 'Liveness: the process serves HTTP',
    answer: { name: 'LivenessAnswer', schema: LivenessAnswerSchema },
  },
  {
    method: 'get', path: '/readyz', operationId: 'readiness', tag: 'operations',
    summary: 'Readiness: PostgreSQL and the Temporal frontend answer (worker: also polling its task queue)',
    description: 'HTTP 503 with the same body when a check fails or takes longer than 3 s; the body names the failed checks.',
    answer: { name: 'ReadinessAnswer', schema: ReadinessAnswerSchema },
  },
  {
    method: 'get', path: '/metrics', operationId: 'metrics', tag: 'operations',
    summary: 'Prometheus metrics of this process',
    answer: { mediaType: 'text/plain', description: 'Prometheus text exposition format' },
  },
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
