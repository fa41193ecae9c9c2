-- The circuit breakers' states as each worker last reported them (channels/circuits.ts). A worker keeps its breakers
-- in memory and decides from them alone; it writes its row when a circuit changes state and every heartbeat, so that
-- the API's /readyz detail and operators see every worker's view. Rows of a worker that stopped reporting go stale
-- (reported_at) and are left out of the readiness detail; a worker that stops cleanly deletes its rows.
CREATE TABLE channel_circuits (
  channel      TEXT NOT NULL,
  worker       TEXT NOT NULL,
  state        TEXT NOT NULL CHECK (state IN ('closed', 'open', 'half_open')),
  failures     INTEGER NOT NULL,
  since        TIMESTAMPTZ NOT NULL,
  retry_at     TIMESTAMPTZ,
  reported_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (channel, worker)
);
