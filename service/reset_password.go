package service

import (
	"context"

	"github.com/parley-comments/parley"
)

// SetPassword replaces a user's password for an operator who lost a login
// (the command line's user reset-password) and ends the user's sessions.
// ENOTFOUND for an unknown email, EINVALID for a password that is too short.
func (s *Service) SetPassword(ctx context.Context, email, password string) (*parley.User, error) {
	email, err := normalizeEmail(email)
	if err != nil {
		return nil, err
	}
	if err := validatePassword(password); err != nil {
		return nil, err
	}
	u, err := s.store.GetUserByEmail(ctx, email)
	if err != nil {
		return nil, notFoundAs(err, "No user has that email.")
	}
	hash, err := s.hasher.Hash(password)
	if err != nil {
		return nil, err
	}
	return u, s.setPassword(ctx, u, hash)
}

// NewPassword returns a random password for a generated login.
func NewPassword() string { return NewGuestToken()[3:23] }
