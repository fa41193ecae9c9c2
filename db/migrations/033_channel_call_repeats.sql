-- Polling asks the channel about every open order every 2 minutes at steady state (polling/poller.ts), and each answer
-- was a row of channel_calls: about 72 million rows a day at 100,000 open orders, almost all "query → PENDING".
-- A query that answers what the order's latest call answered (same channel, operation, status and error) now folds
-- into that row: `repeats` counts the calls it stands for, `last_called_at` is the latest one's time and `latency_ms`
-- the slowest one's. A different answer, or any other call in between, starts a new row, so the timeline still shows
-- every change. Creates, closes, refunds and transfers are never folded: each is its own row.
ALTER TABLE channel_calls
  ADD COLUMN repeats INTEGER NOT NULL DEFAULT 1 CHECK (repeats >= 1),
  ADD COLUMN last_called_at TIMESTAMPTZ;
