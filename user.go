package parley

import "time"

// Role is a user's role on one site. Roles are per site.
type Role string

// Roles, from most to least powerful.
const (
	RoleAdmin     Role = "admin"
	RoleModerator Role = "moderator"
	RoleAuthor    Role = "author"
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r == RoleAdmin || r == RoleModerator || r == RoleAuthor }

// CanModerate reports whether r may act on the moderation queue.
func (r Role) CanModerate() bool { return r == RoleAdmin || r == RoleModerator }

// User is a signed-in account: an article author, a moderator or an admin.
// Readers normally comment as guests.
type User struct {
	ID           string    `json:"id"`
	Email        string    `json:"-"`
	Name         string    `json:"name"`
	PasswordHash string    `json:"-"` // argon2id, PHC string format
	CreatedAt    time.Time `json:"created_at"`
}

// Membership gives a user a role on a site.
type Membership struct {
	SiteID string `json:"site_id"`
	UserID string `json:"user_id"`
	Role   Role   `json:"role"`
}

// Token is a long-lived API token. Only the SHA-256 of the secret is stored.
type Token struct {
	ID         string
	UserID     string
	SecretHash string // hex sha256 of the secret
	CreatedAt  time.Time
	LastUsedAt time.Time
}

// Session is a browser login. Only the SHA-256 of the cookie value is stored.
type Session struct {
	IDHash    string // hex sha256 of the cookie value
	UserID    string
	CSRFToken string
	// Method is how the user signed in: LoginPassword, LoginSSO or LoginOIDC.
	Method string
	// SiteID is the site an SSO or OIDC sign-in went through ("" for passwords).
	SiteID    string
	UserAgent string // the browser's, truncated; shown in the sessions list
	CreatedAt time.Time
	ExpiresAt time.Time
}
