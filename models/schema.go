package models

import (
	"context"

	"github.com/uptrace/bun"

	"github.com/gatehouse/gatehouse/auth"
)

// steps are applied in order; a step, once released, is never edited:
// new schema goes into a new step at the end.
var steps = []step{
	{
		name:    "20261122000001",
		comment: "users, groups, permissions, sessions, audit, outbox, tokens",
		sql: `
CREATE TABLE users (
	id {{id}},
	username TEXT NOT NULL,
	username_key TEXT NOT NULL,
	email TEXT NOT NULL,
	email_key TEXT NOT NULL,
	password_hash TEXT NOT NULL,
	is_active BOOLEAN NOT NULL DEFAULT TRUE,
	is_staff BOOLEAN NOT NULL DEFAULT FALSE,
	is_superuser BOOLEAN NOT NULL DEFAULT FALSE,
	email_verified BOOLEAN NOT NULL DEFAULT FALSE,
	date_joined {{ts}} NOT NULL,
	last_login {{ts}},
	password_changed_at {{ts}} NOT NULL
);
CREATE UNIQUE INDEX users_username_key ON users (username_key);
CREATE UNIQUE INDEX users_email_key ON users (email_key);
CREATE INDEX users_email_key_id ON users (email_key, id);
CREATE INDEX users_date_joined_id ON users (date_joined, id);
CREATE INDEX users_last_login_id ON users (last_login, id);
CREATE TABLE groups (
	id {{id}},
	name TEXT NOT NULL,
	name_key TEXT NOT NULL
);
CREATE UNIQUE INDEX groups_name_key ON groups (name_key);
CREATE TABLE permissions (
	id {{id}},
	code TEXT NOT NULL,
	name TEXT NOT NULL
);
CREATE UNIQUE INDEX permissions_code ON permissions (code);
CREATE TABLE user_groups (
	user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	group_id BIGINT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
	PRIMARY KEY (user_id, group_id)
);
CREATE INDEX user_groups_group ON user_groups (group_id, user_id);
CREATE TABLE group_permissions (
	group_id BIGINT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
	permission_id BIGINT NOT NULL REFERENCES permissions (id) ON DELETE CASCADE,
	PRIMARY KEY (group_id, permission_id)
);
CREATE TABLE user_permissions (
	user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	permission_id BIGINT NOT NULL REFERENCES permissions (id) ON DELETE CASCADE,
	PRIMARY KEY (user_id, permission_id)
);
CREATE TABLE kv_entries (
	k TEXT PRIMARY KEY,
	v {{blob}} NOT NULL,
	expires_at BIGINT NOT NULL
);
CREATE INDEX kv_entries_expires ON kv_entries (expires_at);
CREATE TABLE kv_counters (
	k TEXT PRIMARY KEY,
	n BIGINT NOT NULL,
	expires_at BIGINT NOT NULL
);
CREATE INDEX kv_counters_expires ON kv_counters (expires_at);
CREATE TABLE kv_sets (
	k TEXT NOT NULL,
	member TEXT NOT NULL,
	expires_at BIGINT NOT NULL,
	PRIMARY KEY (k, member)
);
CREATE INDEX kv_sets_expires ON kv_sets (expires_at);
CREATE TABLE audit_events (
	id {{id}},
	created_at {{ts}} NOT NULL,
	event TEXT NOT NULL,
	user_id BIGINT,
	actor_id BIGINT,
	login TEXT NOT NULL DEFAULT '',
	ip TEXT NOT NULL DEFAULT '',
	user_agent TEXT NOT NULL DEFAULT '',
	detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_events_user ON audit_events (user_id, id);
CREATE INDEX audit_events_event ON audit_events (event, id);
CREATE TABLE outbox (
	id {{id}},
	created_at {{ts}} NOT NULL,
	to_addr TEXT NOT NULL,
	subject TEXT NOT NULL,
	text_body TEXT NOT NULL,
	html_body TEXT NOT NULL,
	attempts INTEGER NOT NULL DEFAULT 0,
	next_attempt_at {{ts}} NOT NULL,
	sent_at {{ts}},
	last_error TEXT NOT NULL DEFAULT ''
);
CREATE INDEX outbox_pending ON outbox (sent_at, next_attempt_at);
CREATE TABLE tokens (
	id {{id}},
	kind TEXT NOT NULL,
	selector TEXT NOT NULL,
	verifier_hash {{blob}} NOT NULL,
	user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	email TEXT NOT NULL DEFAULT '',
	created_at {{ts}} NOT NULL,
	expires_at {{ts}} NOT NULL,
	used_at {{ts}}
);
CREATE UNIQUE INDEX tokens_selector ON tokens (selector);
CREATE INDEX tokens_user ON tokens (user_id, kind);
CREATE TABLE settings (
	k TEXT PRIMARY KEY,
	v TEXT NOT NULL
)`,
		pgOnly: `
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX users_username_trgm ON users USING gin (username_key gin_trgm_ops);
CREATE INDEX users_email_trgm ON users USING gin (email_key gin_trgm_ops)`,
		seed: seedBuiltinPerms,
	},
	{
		name:    "20261122000400",
		comment: "admin lists: keyset indexes for every sort, rare-flag filters, audit by actor",
		// Every sort of the user list is (key, id) so keyset pages are
		// index range scans. last_login is nullable: the list sorts on
		// COALESCE(last_login, epoch), the expression indexed here (the plain
		// (last_login, id) index no query uses is dropped). Rare flag values
		// get partial indexes so "superuser=yes" never walks a million rows.
		sql: `
CREATE INDEX users_username_key_id ON users (username_key, id);
DROP INDEX users_last_login_id;
CREATE INDEX users_last_login_sort ON users ((COALESCE(last_login, '1970-01-01 00:00:00+00:00')), id);
CREATE INDEX users_superuser_partial ON users (id) WHERE is_superuser;
CREATE INDEX users_staff_partial ON users (id) WHERE is_staff;
CREATE INDEX users_inactive_partial ON users (id) WHERE NOT is_active;
CREATE INDEX audit_events_actor ON audit_events (actor_id, id)`,
	},
	{
		name:    "20261122000500",
		comment: "outbox: mails given up for good; index of the due queue",
		// A mail whose recipient the SMTP server refuses for good is marked
		// failed instead of being retried forever. The senders' claim query
		// reads only undelivered, unfailed rows in due order: a partial index
		// keeps that cheap however many delivered rows the table holds.
		sql: `
ALTER TABLE outbox ADD COLUMN failed_at {{ts}};
DROP INDEX outbox_pending;
CREATE INDEX outbox_due ON outbox (next_attempt_at, id) WHERE sent_at IS NULL AND failed_at IS NULL`,
	},
	{
		name:    "20261201000100",
		comment: "kv_entries.uid: a session row names its user, so one query joins its cached principal",
		// A signed-in request reads its session and, by primary key, the
		// cached principal and versions of the session's user in one
		// statement (models.KV.ReadSession); the join needs the user id
		// outside the session's opaque data. Other rows leave it NULL.
		sql: `ALTER TABLE kv_entries ADD COLUMN uid BIGINT`,
	},
}

func seedBuiltinPerms(ctx context.Context, tx bun.Tx) error {
	for _, p := range auth.BuiltinPerms() {
		perm := &Permission{Code: p.Code, Name: p.Name}
		if _, err := tx.NewInsert().Model(perm).On("CONFLICT (code) DO NOTHING").Exec(ctx); err != nil {
			return err
		}
	}
	return nil
}
