-- Parley schema, PostgreSQL dialect. Times are timestamptz (microsecond
-- precision); NULL means "not set". JSON documents are TEXT, byte-identical
-- to SQLite's. IDs and keys are ULID / opaque text with COLLATE "C" so that
-- ordering is byte-wise, as on SQLite.

CREATE TABLE sites (
    id         TEXT COLLATE "C" PRIMARY KEY,
    name       TEXT NOT NULL,
    origins    TEXT NOT NULL,   -- JSON array
    settings   TEXT NOT NULL,   -- JSON object (parley.Settings)
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE users (
    id            TEXT COLLATE "C" PRIMARY KEY,
    email         TEXT NOT NULL,
    email_lower   TEXT COLLATE "C" NOT NULL UNIQUE, -- strings.ToLower(email): case-insensitive uniqueness
    name          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL
);

CREATE TABLE memberships (
    site_id TEXT COLLATE "C" NOT NULL REFERENCES sites(id),
    user_id TEXT COLLATE "C" NOT NULL REFERENCES users(id),
    role    TEXT NOT NULL,
    PRIMARY KEY (site_id, user_id)
);
CREATE INDEX memberships_user ON memberships(user_id);

CREATE TABLE tokens (
    id           TEXT COLLATE "C" PRIMARY KEY,
    user_id      TEXT COLLATE "C" NOT NULL REFERENCES users(id),
    secret_hash  TEXT COLLATE "C" NOT NULL UNIQUE,
    created_at   TIMESTAMPTZ NOT NULL,
    last_used_at TIMESTAMPTZ
);
CREATE INDEX tokens_user ON tokens(user_id);

CREATE TABLE sessions (
    id_hash    TEXT COLLATE "C" PRIMARY KEY,
    user_id    TEXT COLLATE "C" NOT NULL REFERENCES users(id),
    csrf_token TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE INDEX sessions_expires ON sessions(expires_at);

CREATE TABLE stories (
    id         TEXT COLLATE "C" PRIMARY KEY,
    site_id    TEXT COLLATE "C" NOT NULL REFERENCES sites(id),
    url        TEXT COLLATE "C" NOT NULL,
    title      TEXT NOT NULL,
    closed     BOOLEAN NOT NULL DEFAULT FALSE,
    mode       TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (site_id, url)
);
CREATE INDEX stories_site_id ON stories(site_id, id);

CREATE TABLE story_authors (
    story_id TEXT COLLATE "C" NOT NULL REFERENCES stories(id),
    user_id  TEXT COLLATE "C" NOT NULL REFERENCES users(id),
    position INTEGER NOT NULL,
    PRIMARY KEY (story_id, user_id)
);
CREATE INDEX story_authors_user ON story_authors(user_id);

CREATE TABLE comments (
    id               TEXT COLLATE "C" PRIMARY KEY,
    site_id          TEXT COLLATE "C" NOT NULL REFERENCES sites(id),
    story_id         TEXT COLLATE "C" NOT NULL REFERENCES stories(id),
    parent_id        TEXT COLLATE "C" NOT NULL DEFAULT '',
    status           TEXT COLLATE "C" NOT NULL,
    -- queue_status is status, except 'pending' for approved comments with an
    -- edit pending: the moderation queue filters and sorts on it.
    queue_status     TEXT COLLATE "C" NOT NULL,
    body             TEXT NOT NULL,
    html             TEXT NOT NULL,
    edit_pending     BOOLEAN NOT NULL DEFAULT FALSE,
    pending_body     TEXT NOT NULL DEFAULT '',
    pending_html     TEXT NOT NULL DEFAULT '',
    author_user_id   TEXT COLLATE "C" NOT NULL DEFAULT '',
    author_name      TEXT NOT NULL DEFAULT '',
    guest_email      TEXT NOT NULL DEFAULT '',
    guest_token_hash TEXT COLLATE "C" NOT NULL DEFAULT '',
    client_ip        TEXT NOT NULL DEFAULT '',
    author_key       TEXT COLLATE "C" NOT NULL DEFAULT '',
    reason           TEXT NOT NULL DEFAULT '',
    moderator_note   TEXT NOT NULL DEFAULT '',
    moderated_by     TEXT NOT NULL DEFAULT '',
    moderated_at     TIMESTAMPTZ,
    language         TEXT NOT NULL DEFAULT '',
    scores           TEXT NOT NULL DEFAULT 'null', -- JSON object label -> score
    evidence         TEXT NOT NULL DEFAULT 'null', -- JSON array
    suggested_reason TEXT NOT NULL DEFAULT '',
    risk             DOUBLE PRECISION NOT NULL DEFAULT 0,
    norm_hash        TEXT COLLATE "C" NOT NULL DEFAULT '',
    resubmits        INTEGER NOT NULL DEFAULT 0,
    last_resubmit_at TIMESTAMPTZ,
    cluster_id       TEXT COLLATE "C" NOT NULL DEFAULT '',
    spam_signals     TEXT NOT NULL DEFAULT 'null', -- JSON array
    compose_ms       BIGINT NOT NULL DEFAULT 0,
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL,
    edited_at        TIMESTAMPTZ,
    version          BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX comments_thread ON comments(story_id, status, id);
CREATE INDEX comments_thread_user ON comments(story_id, author_user_id, id) WHERE author_user_id <> '';
CREATE INDEX comments_thread_guest ON comments(story_id, guest_token_hash, id) WHERE guest_token_hash <> '';
CREATE INDEX comments_queue_risk ON comments(site_id, queue_status, risk DESC, id);
CREATE INDEX comments_queue_id ON comments(site_id, queue_status, id);
CREATE INDEX comments_site_status ON comments(site_id, status, id);
CREATE INDEX comments_author ON comments(site_id, author_key, norm_hash, created_at);
CREATE INDEX comments_cluster ON comments(cluster_id) WHERE cluster_id <> '';
CREATE INDEX comments_created ON comments(created_at);

CREATE TABLE revisions (
    id         TEXT COLLATE "C" PRIMARY KEY,
    comment_id TEXT COLLATE "C" NOT NULL REFERENCES comments(id),
    body       TEXT NOT NULL,
    html       TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX revisions_comment ON revisions(comment_id, id);

CREATE TABLE idempotency_keys (
    scope      TEXT COLLATE "C" NOT NULL,
    key        TEXT COLLATE "C" NOT NULL,
    comment_id TEXT COLLATE "C" NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (scope, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys(created_at);

-- Append-only: the store offers no update or delete.
CREATE TABLE audit_log (
    id         TEXT COLLATE "C" PRIMARY KEY,
    site_id    TEXT COLLATE "C" NOT NULL,
    comment_id TEXT COLLATE "C" NOT NULL DEFAULT '',
    actor_id   TEXT COLLATE "C" NOT NULL DEFAULT '',
    actor_name TEXT NOT NULL DEFAULT '',
    action     TEXT NOT NULL,
    from_status TEXT NOT NULL DEFAULT '',
    to_status  TEXT NOT NULL DEFAULT '',
    reason     TEXT NOT NULL DEFAULT '',
    note       TEXT NOT NULL DEFAULT '',
    scores     TEXT NOT NULL DEFAULT 'null',
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX audit_site ON audit_log(site_id, id);
CREATE INDEX audit_comment ON audit_log(comment_id, id) WHERE comment_id <> '';
CREATE INDEX audit_actor ON audit_log(site_id, actor_id, id);

CREATE TABLE sanctions (
    id         TEXT COLLATE "C" PRIMARY KEY,
    site_id    TEXT COLLATE "C" NOT NULL REFERENCES sites(id),
    author_key TEXT COLLATE "C" NOT NULL,
    kind       TEXT NOT NULL,
    reason     TEXT NOT NULL DEFAULT '',
    until      TIMESTAMPTZ,
    created_by TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX sanctions_site_author ON sanctions(site_id, author_key, id);

CREATE TABLE rate_buckets (
    key        TEXT COLLATE "C" PRIMARY KEY,
    tokens     DOUBLE PRECISION NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
