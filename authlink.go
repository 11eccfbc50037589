package parley

import (
	"context"
	"time"
)

// Email link purposes (AuthLink.Purpose).
const (
	LinkSignIn = "signin" // a commenter's magic sign-in link
	LinkInvite = "invite" // an admin's invitation of a moderator or author
	LinkReset  = "reset"  // a password reset
)

// LoginEmailLink is the Session.Method of a sign-in through an email link.
const LoginEmailLink = "email_link"

// AuthLink is a single-use link sent by email. Only the SHA-256 of its
// secret is stored; it is deleted when used and is worthless after
// ExpiresAt.
type AuthLink struct {
	ID        string    `json:"id"`
	TokenHash string    `json:"-"` // hex sha256 of the secret in the link
	Purpose   string    `json:"purpose"`
	SiteID    string    `json:"site_id"`
	Email     string    `json:"email"`             // lower case
	UserID    string    `json:"user_id,omitempty"` // reset: the account
	Role      Role      `json:"role,omitempty"`    // invite: the role granted
	InvitedBy string    `json:"invited_by,omitempty"`
	ReturnTo  string    `json:"-"`              // sign-in: the page to go back to (checked against the site's origins)
	Name      string    `json:"name,omitempty"` // sign-in: the display name a new commenter chose
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

// AuthLinkStore keeps email links and which users' addresses are verified.
type AuthLinkStore interface {
	CreateAuthLink(ctx context.Context, l *AuthLink) error
	// PeekAuthLink returns an unexpired link without using it. ENOTFOUND
	// if it is unknown, used or expired.
	PeekAuthLink(ctx context.Context, tokenHash string, now time.Time) (*AuthLink, error)
	// TakeAuthLink returns an unexpired link and deletes it, so that of two
	// concurrent takers only one succeeds. ENOTFOUND otherwise.
	TakeAuthLink(ctx context.Context, tokenHash string, now time.Time) (*AuthLink, error)
	// ListAuthLinks returns a site's unexpired links of one purpose, newest first.
	ListAuthLinks(ctx context.Context, siteID, purpose string, now time.Time) ([]*AuthLink, error)
	// DeleteAuthLink deletes a site's link by ID. ENOTFOUND if none.
	DeleteAuthLink(ctx context.Context, siteID, id string) error
	// DeleteAuthLinksFor deletes every link of a purpose sent to email (a
	// used reset link voids the others).
	DeleteAuthLinksFor(ctx context.Context, email, purpose string) error
	// PurgeAuthLinks deletes links that expired before now.
	PurgeAuthLinks(ctx context.Context, now time.Time) (int, error)
	// SetEmailVerified records that the user proved they own their address.
	SetEmailVerified(ctx context.Context, userID string, at time.Time) error
	// VerifiedUsers returns which of the given users have a verified address.
	VerifiedUsers(ctx context.Context, userIDs []string) (map[string]bool, error)
	// EmailVerified reports whether a user with this address (any case)
	// has verified it.
	EmailVerified(ctx context.Context, email string) (bool, error)
}
