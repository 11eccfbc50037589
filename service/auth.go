package service

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/parley-comments/parley"
)

// MinPasswordChars is the shortest password accepted.
const MinPasswordChars = 10

// newSecret returns a random URL-safe secret with a prefix.
func newSecret(prefix string) string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}

// HashSecret returns the hex SHA-256 under which a token, session or guest
// token is stored.
func HashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// NewGuestToken returns a new guest token. Guests keep it in the widget's
// storage; it lets them see their own pending and rejected comments.
func NewGuestToken() string { return newSecret("pg_") }

// normalizeEmail validates and lower-cases an email address.
func normalizeEmail(email string) (string, error) {
	email = strings.TrimSpace(email)
	if email == "" || len(email) > 254 {
		return "", parley.Errorf(parley.EINVALID, "A valid email address is required.")
	}
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email || !strings.Contains(email, "@") {
		return "", parley.Errorf(parley.EINVALID, "The email address is not valid.")
	}
	return strings.ToLower(email), nil
}

// CreateUser adds an account. The password is hashed with argon2id.
// Returns EINVALID for bad input and ECONFLICT if the email is taken.
func (s *Service) CreateUser(ctx context.Context, email, name, password string) (*parley.User, error) {
	email, err := normalizeEmail(email)
	if err != nil {
		return nil, err
	}
	name, err = cleanName(name)
	if err != nil {
		return nil, err
	}
	if utf8.RuneCountInString(password) < MinPasswordChars {
		return nil, parley.Errorf(parley.EINVALID, "The password must have at least %d characters.", MinPasswordChars)
	}
	hash, err := s.hasher.Hash(password)
	if err != nil {
		return nil, err
	}
	now := s.now()
	u := &parley.User{ID: parley.NewID(now), Email: email, Name: name, PasswordHash: hash, CreatedAt: now}
	if err := s.store.CreateUser(ctx, u); err != nil {
		if parley.IsCode(err, parley.ECONFLICT) {
			return nil, parley.Errorf(parley.ECONFLICT, "A user with that email already exists.")
		}
		return nil, err
	}
	return u, nil
}

// SetRole gives a user a role on a site. ENOTFOUND if either is unknown.
func (s *Service) SetRole(ctx context.Context, siteID, email string, role parley.Role) error {
	if !role.Valid() {
		return parley.Errorf(parley.EINVALID, "Role must be admin, moderator or author.")
	}
	if _, err := s.store.GetSite(ctx, siteID); err != nil {
		return notFoundAs(err, "Unknown site.")
	}
	u, err := s.store.GetUserByEmail(ctx, strings.ToLower(strings.TrimSpace(email)))
	if err != nil {
		return notFoundAs(err, "Unknown user.")
	}
	return s.store.InTx(ctx, func(tx parley.Store) error {
		if err := tx.SetRole(ctx, parley.Membership{SiteID: siteID, UserID: u.ID, Role: role}); err != nil {
			return err
		}
		return protectName(ctx, tx, siteID, u)
	})
}

// CreateToken creates a new API token for the user with that email and
// returns its secret, which is shown once and stored only as a hash.
func (s *Service) CreateToken(ctx context.Context, email string) (string, error) {
	u, err := s.store.GetUserByEmail(ctx, strings.ToLower(strings.TrimSpace(email)))
	if err != nil {
		return "", notFoundAs(err, "Unknown user.")
	}
	secret := newSecret("pt_")
	now := s.now()
	t := &parley.Token{ID: parley.NewID(now), UserID: u.ID, SecretHash: HashSecret(secret), CreatedAt: now}
	if err := s.store.CreateToken(ctx, t); err != nil {
		return "", err
	}
	return secret, nil
}

// Login checks a password and starts a session. It returns the session and
// its secret, which serves both as the cookie value and as a bearer token.
// A wrong email or password is EUNAUTHORIZED with the same message.
//
// Attempts are limited per client address and, on top of that, per email
// address (known or not, so the limit reveals nothing), which stops a
// password guesser spread over many addresses. An unknown email costs the
// same password-hash work as a wrong password, so timing does not tell
// which accounts exist; a hash made with older parameters is upgraded on
// the account's next successful login, so that this holds for it too.
func (s *Service) Login(ctx context.Context, email, password, clientKey string) (*parley.Session, string, *parley.User, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	if err := s.loginLimit(ctx, "login:"+clientKey); err != nil {
		return nil, "", nil, err
	}
	if err := s.loginLimit(ctx, "login:account:"+HashSecret(email)); err != nil {
		return nil, "", nil, err
	}
	u, err := s.store.GetUserByEmail(ctx, email)
	if err != nil && !parley.IsCode(err, parley.ENOTFOUND) {
		return nil, "", nil, err
	}
	hash := s.dummyHash()
	if u != nil {
		hash = u.PasswordHash
	}
	if !s.hasher.Verify(hash, password) || u == nil {
		return nil, "", nil, parley.Errorf(parley.EUNAUTHORIZED, "Wrong email or password.")
	}
	s.upgradeHash(ctx, u, password)
	sess, secret, err := s.startSession(ctx, s.store, u.ID, parley.LoginPassword, "", "")
	if err != nil {
		return nil, "", nil, err
	}
	return sess, secret, u, nil
}

// Logout ends the session with that secret. Unknown sessions are not an error.
func (s *Service) Logout(ctx context.Context, secret string) error {
	err := s.store.DeleteSession(ctx, HashSecret(secret))
	s.sessions.clear()
	if parley.IsCode(err, parley.ENOTFOUND) {
		return nil
	}
	return err
}

// SessionUser returns the user and session for a session secret (cookie or
// bearer). EUNAUTHORIZED if unknown or expired.
func (s *Service) SessionUser(ctx context.Context, secret string) (*parley.User, *parley.Session, error) {
	u, sess, err := s.sessionUser(ctx, HashSecret(secret))
	if err != nil {
		return nil, nil, unauthorizedAs(err)
	}
	if !s.now().Before(sess.ExpiresAt) { // the one place session expiry is decided
		return nil, nil, parley.Errorf(parley.EUNAUTHORIZED, "Your session has expired. Please log in again.")
	}
	return u, sess, nil
}

// BearerUser returns the user for an Authorization: Bearer secret, which
// is an API token ("pt_…") or a session secret ("ps_…").
func (s *Service) BearerUser(ctx context.Context, secret string) (*parley.User, error) {
	if strings.HasPrefix(secret, "ps_") {
		u, _, err := s.SessionUser(ctx, secret)
		return u, err
	}
	t, err := s.store.GetTokenBySecretHash(ctx, HashSecret(secret))
	if err != nil {
		return nil, unauthorizedAs(err)
	}
	u, err := s.store.GetUser(ctx, t.UserID)
	if err != nil {
		return nil, unauthorizedAs(err)
	}
	if now := s.now(); now.Sub(t.LastUsedAt) > time.Hour {
		if err := s.store.TouchToken(ctx, t.ID, now); err != nil {
			s.log.WarnContext(ctx, "touch token", "err", err)
		}
	}
	return u, nil
}

// Role returns the user's role on a site, or "" if none.
func (s *Service) Role(ctx context.Context, user *parley.User, siteID string) (parley.Role, error) {
	if user == nil {
		return "", nil
	}
	r, err := s.store.GetRole(ctx, siteID, user.ID)
	if parley.IsCode(err, parley.ENOTFOUND) {
		return "", nil
	}
	return r, err
}

// requireModerator returns nil if user may moderate siteID: EUNAUTHORIZED
// without a user, EFORBIDDEN for anyone else.
func (s *Service) requireModerator(ctx context.Context, user *parley.User, siteID string) error {
	if user == nil {
		return parley.Errorf(parley.EUNAUTHORIZED, "Please log in.")
	}
	r, err := s.Role(ctx, user, siteID)
	if err != nil {
		return err
	}
	if !r.CanModerate() {
		return parley.Errorf(parley.EFORBIDDEN, "You are not a moderator of this site.")
	}
	return nil
}

// requireAdmin returns nil if user is an admin of siteID.
func (s *Service) requireAdmin(ctx context.Context, user *parley.User, siteID string) error {
	if user == nil {
		return parley.Errorf(parley.EUNAUTHORIZED, "Please log in.")
	}
	r, err := s.Role(ctx, user, siteID)
	if err != nil {
		return err
	}
	if r != parley.RoleAdmin {
		return parley.Errorf(parley.EFORBIDDEN, "You are not an admin of this site.")
	}
	return nil
}

// notFoundAs replaces the message of an ENOTFOUND error.
func notFoundAs(err error, msg string) error {
	if parley.IsCode(err, parley.ENOTFOUND) {
		return &parley.Error{Code: parley.ENOTFOUND, Message: msg}
	}
	return err
}

// unauthorizedAs turns ENOTFOUND into EUNAUTHORIZED.
func unauthorizedAs(err error) error {
	if parley.IsCode(err, parley.ENOTFOUND) {
		return parley.Errorf(parley.EUNAUTHORIZED, "Invalid or expired credentials.")
	}
	return err
}

// loginLimit takes a token from a login bucket (per address or per
// account) when limits are enabled.
func (s *Service) loginLimit(ctx context.Context, key string) error {
	perMinute, burst := s.limits.LoginPerMinute, s.limits.LoginBurst
	if strings.HasPrefix(key, "login:account:") {
		perMinute, burst = s.limits.LoginPerAccountPerMinute, s.limits.LoginPerAccountBurst
	}
	return s.takeToken(ctx, key, perMinute, burst, "Too many login attempts. Please wait a moment and try again.")
}

// rateLimit takes a token from a posting bucket when limits are enabled.
func (s *Service) rateLimit(ctx context.Context, key string, perMinute float64, burst int) error {
	return s.takeToken(ctx, key, perMinute, burst, "You are posting too fast. Please wait a moment and try again.")
}
