-- +goose Up
-- Row statuses as readable text: 'pending', 'delivered', 'dead' (were 0,
-- 1, 2); statuses already in text are kept. The pending rows get a partial
-- index, which a delivery leaves (it is not moved to another status's
-- place), and the dead letters one of their own.
DROP INDEX IF EXISTS signals_outbox_pending;
DROP INDEX IF EXISTS signals_outbox_dead;
ALTER TABLE signals_outbox ADD COLUMN status_text VARCHAR(16) NOT NULL DEFAULT 'pending';
UPDATE signals_outbox SET status_text = CASE CAST(status AS TEXT) WHEN '0' THEN 'pending' WHEN '1' THEN 'delivered' WHEN '2' THEN 'dead' ELSE status END;
ALTER TABLE signals_outbox DROP COLUMN status;
ALTER TABLE signals_outbox RENAME COLUMN status_text TO status;
CREATE INDEX signals_outbox_pending ON signals_outbox (receiver, id) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS signals_outbox_dead ON signals_outbox (receiver, id) WHERE status = 'dead';
