-- Named support operators (SUPPORT_OPERATORS, issue finding 5): every audit record a support action writes names the
-- operator who did it. NULL = written by the system (workflows, activities), or before operators were named.
-- Number 010: 008 and 009 are taken by other branches (rate limits, open order counts). IF NOT EXISTS: a local
-- database that applied this file under its earlier name (009_support_actors.sql) applies it again harmlessly.

-- The operator behind an order event: support_replay / support_pause / support_resume / support_redirect (also the
-- replays of a bulk job: its starter), review_resolved and the status change a person's decision applied.
-- (order_reviews.actor, who resolved a review, exists since 006.)
ALTER TABLE order_events ADD COLUMN IF NOT EXISTS actor TEXT;

-- Who started a bulk replay job (the job's workflow input carries it to every replay it makes).
ALTER TABLE support_jobs ADD COLUMN IF NOT EXISTS actor TEXT;
