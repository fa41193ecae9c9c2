-- Named support operators (SUPPORT_OPERATORS, issue finding 5): every audit record a support action writes names the
-- operator who did it. NULL = written by the system (workflows, activities), or before operators were named.

-- The operator behind an order event: support_replay / support_pause / support_resume / support_redirect (also the
-- replays of a bulk job: its starter), review_resolved and the status change a person's decision applied.
ALTER TABLE order_events ADD COLUMN actor TEXT;

-- Who started a bulk replay job.
ALTER TABLE support_jobs ADD COLUMN actor TEXT;
