-- Webhooks and their delivery log (issue 14).
CREATE TABLE webhooks (
    id               TEXT PRIMARY KEY,
    site_id          TEXT NOT NULL REFERENCES sites (id),
    url              TEXT NOT NULL,
    description      TEXT NOT NULL DEFAULT '',
    events           TEXT NOT NULL,            -- JSON array of event names
    moderator_facing INTEGER NOT NULL DEFAULT 0,
    active           INTEGER NOT NULL DEFAULT 1,
    secret           TEXT NOT NULL,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);
CREATE INDEX webhooks_site ON webhooks (site_id, id);

-- One row per event per webhook. seq orders the deliveries of one hook and
-- order key (a comment or a sanction); body is the exact JSON POSTed.
CREATE TABLE webhook_deliveries (
    id              TEXT PRIMARY KEY,
    site_id         TEXT NOT NULL,
    webhook_id      TEXT NOT NULL,
    event           TEXT NOT NULL,
    order_key       TEXT NOT NULL,
    seq             INTEGER NOT NULL,
    body            TEXT NOT NULL,
    status          TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    status_code     INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT NOT NULL DEFAULT '',
    duration_ms     INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    last_attempt_at INTEGER,
    delivered_at    INTEGER,
    UNIQUE (webhook_id, order_key, seq)
);
CREATE INDEX webhook_deliveries_hook ON webhook_deliveries (webhook_id, id);
CREATE INDEX webhook_deliveries_order ON webhook_deliveries (order_key);
