-- Per-merchant request-rate limits (issue 14 part 1, admin API): the merchant's own RATE_LIMIT_MERCHANT_RPS and
-- RATE_LIMIT_MERCHANT_BURST. NULL = the platform's value; rps 0 = no request-rate limit for this merchant.
ALTER TABLE merchants ADD COLUMN rate_limit_rps INTEGER CHECK (rate_limit_rps >= 0);
ALTER TABLE merchants ADD COLUMN rate_limit_burst INTEGER CHECK (rate_limit_burst >= 0);
