-- Rate limits shared by every API replica (api/rate-limits.ts, rate-limiter-flexible's RateLimiterPostgres over the
-- API's pool). The library's own table layout, created here rather than by the library at runtime (tableCreated):
-- one row per limited key (`<limiter>:<mercNo or address>`), the points consumed in the current window and the
-- window's end in epoch milliseconds. Rows expired for an hour are deleted by the library every 5 minutes.
CREATE TABLE rate_limits (
  key     VARCHAR(255) PRIMARY KEY,
  points  INTEGER NOT NULL DEFAULT 0,
  expire  BIGINT
);
