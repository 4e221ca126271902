-- The schema SQLAlchemy create_all made before migrations (main, 2026-12-03), as SQLite recorded it.
CREATE TABLE sessions (
	user_id VARCHAR(64) NOT NULL, 
	data BLOB NOT NULL, 
	updated_at DATETIME NOT NULL, 
	PRIMARY KEY (user_id)
);
CREATE TABLE evidence (
	id INTEGER NOT NULL, 
	user_id VARCHAR(64) NOT NULL, 
	seq INTEGER NOT NULL, 
	received_at DATETIME NOT NULL, 
	dedupe_key VARCHAR(64) NOT NULL, 
	item_hash VARCHAR(64) NOT NULL, 
	chain_hash VARCHAR(64) NOT NULL, 
	payload BLOB NOT NULL, 
	PRIMARY KEY (id), 
	CONSTRAINT uq_evidence_user_seq UNIQUE (user_id, seq), 
	CONSTRAINT uq_evidence_user_dedupe UNIQUE (user_id, dedupe_key)
);
CREATE INDEX ix_evidence_user_id ON evidence (user_id);
CREATE TABLE outbox (
	id INTEGER NOT NULL, 
	user_id VARCHAR(64) NOT NULL, 
	created_at DATETIME NOT NULL, 
	payload BLOB NOT NULL, 
	PRIMARY KEY (id)
);
CREATE INDEX ix_outbox_user_id ON outbox (user_id);
CREATE TABLE files (
	id VARCHAR(64) NOT NULL, 
	user_id VARCHAR(64) NOT NULL, 
	expires_at DATETIME NOT NULL, 
	payload BLOB NOT NULL, 
	PRIMARY KEY (id)
);
CREATE INDEX ix_files_user_id ON files (user_id);
CREATE INDEX ix_files_expires_at ON files (expires_at);
CREATE TABLE inbox (
	id INTEGER NOT NULL, 
	"key" VARCHAR(64) NOT NULL, 
	channel VARCHAR(32) NOT NULL, 
	user_id VARCHAR(64) NOT NULL, 
	state VARCHAR(16) NOT NULL, 
	received_at DATETIME NOT NULL, 
	payload BLOB NOT NULL, 
	answer BLOB NOT NULL, 
	sent INTEGER NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE ("key")
);
CREATE INDEX ix_inbox_state ON inbox (state);
CREATE INDEX ix_inbox_user_id ON inbox (user_id);
CREATE INDEX ix_inbox_received_at ON inbox (received_at);
CREATE TABLE callback_nonces (
	"key" VARCHAR(64) NOT NULL, 
	body VARCHAR(64) NOT NULL, 
	seen_at DATETIME NOT NULL, 
	PRIMARY KEY ("key")
);
CREATE INDEX ix_callback_nonces_seen_at ON callback_nonces (seen_at);
CREATE TABLE api_tokens (
	name VARCHAR(160) NOT NULL, 
	expires_at DATETIME NOT NULL, 
	payload BLOB NOT NULL, 
	PRIMARY KEY (name)
);
