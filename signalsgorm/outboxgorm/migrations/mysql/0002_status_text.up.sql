-- +goose Up
-- Row statuses as readable text: 'pending', 'delivered', 'dead' (were 0,
-- 1, 2). MySQL commits each ALTER at once; both statements can run again.
ALTER TABLE signals_outbox MODIFY status VARCHAR(16) NOT NULL DEFAULT 'pending';
UPDATE signals_outbox SET status = CASE status WHEN '0' THEN 'pending' WHEN '1' THEN 'delivered' WHEN '2' THEN 'dead' ELSE status END;
