package parley

import "context"

// SessionStore reads a session together with its user, so that
// authenticating a request is one store call.
type SessionStore interface {
	// GetSessionUser returns the session whose ID hash is idHash and its
	// user. Expired sessions are returned too: expiry is the service's
	// policy. ENOTFOUND if the session or its user is missing.
	GetSessionUser(ctx context.Context, idHash string) (*Session, *User, error)
}
