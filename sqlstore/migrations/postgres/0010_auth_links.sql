-- Single-use email links (commenter sign-in, staff invites, password
-- resets), stored as the SHA-256 of their secret, and verified addresses.
CREATE TABLE auth_links (
    id         TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    purpose    TEXT NOT NULL,
    site_id    TEXT NOT NULL DEFAULT '',
    email      TEXT NOT NULL,
    user_id    TEXT NOT NULL DEFAULT '',
    role       TEXT NOT NULL DEFAULT '',
    invited_by TEXT NOT NULL DEFAULT '',
    return_to  TEXT NOT NULL DEFAULT '',
    name       TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX auth_links_site ON auth_links (site_id, purpose, id);
CREATE INDEX auth_links_email ON auth_links (email, purpose);

ALTER TABLE users ADD COLUMN email_verified_at TIMESTAMPTZ;
