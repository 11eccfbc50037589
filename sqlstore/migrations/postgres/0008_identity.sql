-- Sign-in besides passwords: per-site SSO and OIDC configuration, external
-- identities bound to local users, single-use hand-off token IDs, OIDC flows
-- in progress, and what the sessions list shows.
ALTER TABLE sessions ADD COLUMN method TEXT NOT NULL DEFAULT 'password';
ALTER TABLE sessions ADD COLUMN site_id TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN user_agent TEXT NOT NULL DEFAULT '';

-- config is a JSON document (parley.SiteAuth without the site ID).
CREATE TABLE site_auth (
    site_id    TEXT PRIMARY KEY REFERENCES sites (id),
    config     TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

-- One external account (issuer, subject) maps to exactly one user.
CREATE TABLE identities (
    id            TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES users (id),
    issuer        TEXT NOT NULL,
    subject       TEXT NOT NULL,
    email         TEXT NOT NULL DEFAULT '',
    name          TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMPTZ NOT NULL,
    last_login_at TIMESTAMPTZ NOT NULL,
    UNIQUE (issuer, subject)
);
CREATE INDEX identities_user ON identities (user_id);

-- IDs (jti) of SSO hand-off tokens already exchanged; kept until they expire.
CREATE TABLE sso_token_ids (
    site_id    TEXT NOT NULL,
    jti        TEXT NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (site_id, jti)
);
CREATE INDEX sso_token_ids_expires ON sso_token_ids (expires_at);

CREATE TABLE login_flows (
    state_hash   TEXT PRIMARY KEY,
    site_id      TEXT NOT NULL,
    verifier     TEXT NOT NULL,
    nonce        TEXT NOT NULL,
    return_to    TEXT NOT NULL,
    link_user_id TEXT NOT NULL DEFAULT '',
    expires_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX login_flows_expires ON login_flows (expires_at);
