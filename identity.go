package parley

import (
	"context"
	"time"
)

// SiteAuth is how people sign in on one site besides a Parley password:
// the newsroom's own accounts through a signed hand-off token (SSO), and
// staff through the newsroom's OpenID Connect provider (OIDC). It holds
// secrets and is never shown in full outside the admin API and CLI.
type SiteAuth struct {
	SiteID    string     `json:"site_id"`
	SSO       SSOConfig  `json:"sso"`
	OIDC      OIDCConfig `json:"oidc"`
	UpdatedAt time.Time  `json:"updated_at"`
}

// SSOConfig verifies the short-lived JWTs a newsroom's backend signs for
// its signed-in readers. Exactly one of Secret, PublicKey or JWKSURL is
// set when SSO is on.
type SSOConfig struct {
	// Secret is the HS256 shared secret (at least 32 bytes).
	Secret string `json:"secret,omitempty"`
	// PublicKey is a PEM public key: RSA for RS256, Ed25519 for EdDSA.
	PublicKey string `json:"public_key,omitempty"`
	// JWKSURL is where the newsroom publishes its public keys (RS256,
	// ES256 or EdDSA), chosen by the token's "kid".
	JWKSURL string `json:"jwks_url,omitempty"`
}

// Enabled reports whether SSO has a verification key.
func (c SSOConfig) Enabled() bool { return c.Secret != "" || c.PublicKey != "" || c.JWKSURL != "" }

// OIDCConfig signs staff in with the authorization-code flow and PKCE.
type OIDCConfig struct {
	Issuer       string `json:"issuer,omitempty"`
	ClientID     string `json:"client_id,omitempty"`
	ClientSecret string `json:"client_secret,omitempty"`
	// Scopes requested besides openid; default email and profile.
	Scopes []string `json:"scopes,omitempty"`
	// RoleClaim names the ID-token claim that carries groups or roles
	// (a string or a list of strings). Default "groups".
	RoleClaim string `json:"role_claim,omitempty"`
	// Roles maps a value of RoleClaim to a Parley role on the site. A user
	// with several mapped values gets the most powerful role; one with
	// none gets no role and cannot sign in to the dashboard.
	Roles map[string]Role `json:"roles,omitempty"`
	// Label is the sign-in button's text, e.g. "Newsroom account".
	Label string `json:"label,omitempty"`
}

// Enabled reports whether OIDC is configured.
func (c OIDCConfig) Enabled() bool { return c.Issuer != "" && c.ClientID != "" }

// Identity binds an external account to a local user. The pair (Issuer,
// Subject) is unique: one external account maps to exactly one user, and
// an email address alone never binds anything. For OIDC, Issuer is the
// provider's issuer URL; for a site's SSO hand-off it is SSOIssuer(site).
type Identity struct {
	ID          string    `json:"id"`
	UserID      string    `json:"user_id"`
	Issuer      string    `json:"issuer"`
	Subject     string    `json:"subject"`
	Email       string    `json:"-"` // as the provider last reported it
	Name        string    `json:"name"`
	CreatedAt   time.Time `json:"created_at"`
	LastLoginAt time.Time `json:"last_login_at"`
}

// SSOIssuer is the Identity.Issuer of a site's SSO hand-off accounts:
// newsroom user IDs are only unique within their site.
func SSOIssuer(siteID string) string { return "sso:" + siteID }

// Session methods (Session.Method).
const (
	LoginPassword = "password"
	LoginSSO      = "sso"
	LoginOIDC     = "oidc"
)

// LoginFlow is an OIDC sign-in in progress, between the redirect to the
// provider and its callback. It is single-use and expires in minutes.
type LoginFlow struct {
	StateHash string // hex sha256 of the state parameter
	SiteID    string
	Verifier  string // PKCE code verifier
	Nonce     string
	// ReturnTo is where the browser goes after sign-in: a path on this
	// server, or "popup:<origin>" to hand a token to a widget's page.
	ReturnTo string
	// LinkUserID, when set, binds the identity to this signed-in user.
	LinkUserID string
	ExpiresAt  time.Time
}

// IdentityStore persists sign-in configuration, external identities,
// single-use token IDs, OIDC flows and the listing of sessions.
type IdentityStore interface {
	GetSiteAuth(ctx context.Context, siteID string) (*SiteAuth, error) // ENOTFOUND if none
	PutSiteAuth(ctx context.Context, a *SiteAuth) error                // insert or replace
	// CreateIdentityUser inserts a user who signs in only through
	// identities: no password, and no login email (u.Email is ignored), so
	// that an external account never collides with a password account.
	CreateIdentityUser(ctx context.Context, u *User) error
	CreateIdentity(ctx context.Context, id *Identity) error // ECONFLICT if (issuer, subject) is bound
	GetIdentity(ctx context.Context, issuer, subject string) (*Identity, error)
	UpdateIdentity(ctx context.Context, id *Identity) error // email, name, last login
	ListIdentities(ctx context.Context, userID string) ([]*Identity, error)
	// UseTokenID records a hand-off token's ID. ECONFLICT if it was used.
	UseTokenID(ctx context.Context, siteID, jti string, expiresAt time.Time) error
	CreateLoginFlow(ctx context.Context, f *LoginFlow) error
	// TakeLoginFlow returns and deletes a flow. ENOTFOUND if unknown or taken.
	TakeLoginFlow(ctx context.Context, stateHash string) (*LoginFlow, error)
	// ListUserSessions returns a user's unexpired sessions, newest first.
	ListUserSessions(ctx context.Context, userID string) ([]*Session, error)
	// SetProviderRole records the role a sign-in provider gave a user on a
	// site ("" forgets it); GetProviderRole reads it ("" if none).
	SetProviderRole(ctx context.Context, siteID, userID string, role Role) error
	GetProviderRole(ctx context.Context, siteID, userID string) (Role, error)
	// DeleteUserSessions ends every session of a user and says how many.
	DeleteUserSessions(ctx context.Context, userID string) (int, error)
}

// SSOClaims are a verified hand-off token's claims.
type SSOClaims struct {
	TokenID   string // jti
	Subject   string // the newsroom's stable user ID
	Name      string
	Email     string
	Role      Role // "" for a reader
	ExpiresAt time.Time
}

// SSOVerifier checks a hand-off token's signature, algorithm, audience
// (the site ID) and times. It returns EUNAUTHORIZED with Fields["reason"]
// (expired, signature, algorithm, audience, not_yet_valid, malformed,
// key_unavailable) for a token it refuses.
type SSOVerifier interface {
	VerifySSO(ctx context.Context, cfg SSOConfig, siteID, token string, now time.Time) (*SSOClaims, error)
}

// OIDCClaims are a verified ID token's claims.
type OIDCClaims struct {
	Issuer  string
	Subject string
	Email   string
	Name    string
	Claims  map[string]any // every claim, for the role mapping
}

// OIDCClient runs the provider side of an OIDC sign-in.
type OIDCClient interface {
	// AuthURL returns the provider's authorization URL for a new flow.
	AuthURL(ctx context.Context, cfg OIDCConfig, redirectURL, state, nonce, verifier string) (string, error)
	// Exchange redeems a code with its PKCE verifier and verifies the ID
	// token (signature, issuer, audience, expiry and nonce).
	Exchange(ctx context.Context, cfg OIDCConfig, redirectURL, code, verifier, nonce string) (*OIDCClaims, error)
}
