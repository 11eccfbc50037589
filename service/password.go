package service

import (
	"context"
	"unicode/utf8"

	"github.com/parley-comments/parley"
)

// SetPassword replaces a user's password, for an operator who lost a login
// (the command line's user reset-password). ENOTFOUND for an unknown
// email, EINVALID for a password that is too short. Sessions already open
// stay open until they expire.
func (s *Service) SetPassword(ctx context.Context, email, password string) (*parley.User, error) {
	email, err := normalizeEmail(email)
	if err != nil {
		return nil, err
	}
	if utf8.RuneCountInString(password) < MinPasswordChars {
		return nil, parley.Errorf(parley.EINVALID, "The password must have at least %d characters.", MinPasswordChars)
	}
	u, err := s.store.GetUserByEmail(ctx, email)
	if err != nil {
		return nil, notFoundAs(err, "No user has that email.")
	}
	if u.PasswordHash, err = HashPassword(password); err != nil {
		return nil, err
	}
	if err := s.store.UpdateUser(ctx, u); err != nil {
		return nil, err
	}
	return u, nil
}

// NewPassword returns a random password for a generated login.
func NewPassword() string { return NewGuestToken()[3:23] }
