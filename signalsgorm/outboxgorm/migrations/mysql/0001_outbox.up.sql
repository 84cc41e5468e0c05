-- +goose Up
-- The embedded outbox of signalsgorm's durable receivers, as first released
-- (IF NOT EXISTS: tables made by that release's run-time DDL are kept).
CREATE TABLE IF NOT EXISTS signals_outbox (
	id BIGINT AUTO_INCREMENT PRIMARY KEY,
	event_id VARCHAR(36) NOT NULL,
	receiver VARCHAR(128) NOT NULL,
	topic VARCHAR(255) NOT NULL,
	payload LONGTEXT NOT NULL,
	status SMALLINT NOT NULL DEFAULT 0,
	attempts INTEGER NOT NULL DEFAULT 0,
	last_error TEXT,
	created_at BIGINT NOT NULL,
	done_at BIGINT,
	INDEX signals_outbox_pending (receiver, status, id)
);
CREATE TABLE IF NOT EXISTS signals_processed (
	receiver VARCHAR(128) NOT NULL,
	event_id VARCHAR(36) NOT NULL,
	processed_at BIGINT NOT NULL,
	PRIMARY KEY (receiver, event_id)
);
CREATE TABLE IF NOT EXISTS signals_outbox_leases (
	receiver VARCHAR(128) NOT NULL PRIMARY KEY,
	owner VARCHAR(64) NOT NULL,
	expires_at BIGINT NOT NULL
);
