-- The role a sign-in provider (an OIDC group claim, an SSO token's role)
-- last gave a user on a site, so that the provider takes away only what it
-- gave: a role from an admin or an invitation is not the provider's.
CREATE TABLE provider_roles (
    site_id TEXT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    role    TEXT NOT NULL,
    PRIMARY KEY (site_id, user_id)
);
