// Entry point of the workflow bundle: every workflow type the worker runs.
export { orderWorkflow } from './order';
export { refundWorkflow } from './refund';
export { lateReportWorkflow } from './late-report';
export { notificationReplayWorkflow } from './notification-replay';
export { notificationReplayJobWorkflow } from './support-replay-job';
export { payoutWorkflow } from './payout';
export { reconciliationWorkflow } from './reconciliation';
