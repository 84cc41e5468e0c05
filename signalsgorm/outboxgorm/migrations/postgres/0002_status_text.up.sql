-- +goose Up
-- Row statuses as readable text: 'pending', 'delivered', 'dead' (were 0,
-- 1, 2). Statuses already in text are kept, so the file can run again.
ALTER TABLE signals_outbox ALTER COLUMN status DROP DEFAULT;
ALTER TABLE signals_outbox ALTER COLUMN status TYPE VARCHAR(16) USING (CASE CAST(status AS TEXT) WHEN '0' THEN 'pending' WHEN '1' THEN 'delivered' WHEN '2' THEN 'dead' ELSE CAST(status AS TEXT) END);
ALTER TABLE signals_outbox ALTER COLUMN status SET DEFAULT 'pending';
