-- +goose Up
-- Row statuses as readable text: 'pending', 'delivered', 'dead' (were 0,
-- 1, 2); statuses already in text are kept, so the file can run again. The
-- pending rows get a partial index, which a delivery leaves (it is not
-- moved to another status's place), and the dead letters one of their own.
DROP INDEX IF EXISTS signals_outbox_pending;
ALTER TABLE signals_outbox ALTER COLUMN status DROP DEFAULT;
ALTER TABLE signals_outbox ALTER COLUMN status TYPE VARCHAR(16) USING (CASE CAST(status AS TEXT) WHEN '0' THEN 'pending' WHEN '1' THEN 'delivered' WHEN '2' THEN 'dead' ELSE CAST(status AS TEXT) END);
ALTER TABLE signals_outbox ALTER COLUMN status SET DEFAULT 'pending';
CREATE INDEX signals_outbox_pending ON signals_outbox (receiver, id) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS signals_outbox_dead ON signals_outbox (receiver, id) WHERE status = 'dead';
