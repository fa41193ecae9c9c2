-- Routing with failover: a merchant's payway may list several channels, tried in `position` order (0 first). An
-- order goes to the next one when its create is refused definitively there, or the channel's circuit is open
-- (docs/channels.md "Routing and failover"). Existing rows (one channel per payway) become position 0, so
-- single-route data keeps working unchanged.
ALTER TABLE channel_routes ADD COLUMN position SMALLINT NOT NULL DEFAULT 0 CHECK (position BETWEEN 0 AND 9);
ALTER TABLE channel_routes DROP CONSTRAINT channel_routes_pkey;
ALTER TABLE channel_routes ADD PRIMARY KEY (merc_no, payway_code, position);
-- A channel appears once in a payway's list.
ALTER TABLE channel_routes ADD CONSTRAINT channel_routes_channel_once UNIQUE (merc_no, payway_code, channel);
