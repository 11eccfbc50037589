package service

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"github.com/parley-comments/parley"
)

// argon2id parameters (RFC 9106's second recommended option, with 64 MiB).
const (
	argonTime    = 3
	argonMemory  = 64 * 1024
	argonThreads = 2
	argonKeyLen  = 32
	argonSaltLen = 16
)

// MinPasswordChars is the shortest password accepted.
const MinPasswordChars = 10

// HashPassword returns an argon2id hash in the PHC string format.
func HashPassword(password string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, argonMemory, argonTime, argonThreads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// VerifyPassword reports whether password matches a PHC argon2id hash.
func VerifyPassword(hash, password string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false
	}
	var mem uint32
	var t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &mem, &t, &p); err != nil {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, t, mem, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// dummyHash is verified against when the email is unknown, so that login
// takes the same time whether or not the account exists.
var dummyHash, _ = HashPassword("parley-timing-equaliser")

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
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > MaxNameChars {
		return nil, parley.Errorf(parley.EINVALID, "A name of 1 to %d characters is required.", MaxNameChars)
	}
	if utf8.RuneCountInString(password) < MinPasswordChars {
		return nil, parley.Errorf(parley.EINVALID, "The password must have at least %d characters.", MinPasswordChars)
	}
	hash, err := HashPassword(password)
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
	return s.store.SetRole(ctx, parley.Membership{SiteID: siteID, UserID: u.ID, Role: role})
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
// Attempts are rate limited per client address and per account (the
// email as typed, lower-cased, so that a guessed address is limited too).
func (s *Service) Login(ctx context.Context, email, password, clientKey string) (*parley.Session, string, *parley.User, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	if err := s.rateLimit(ctx, "login:"+clientKey, s.limits.LoginPerMinute, s.limits.LoginBurst); err != nil {
		return nil, "", nil, err
	}
	if err := s.rateLimit(ctx, "login:acct:"+HashSecret(email), s.limits.LoginPerMinute, s.limits.LoginBurst); err != nil {
		return nil, "", nil, err
	}
	bad := parley.Errorf(parley.EUNAUTHORIZED, "Wrong email or password.")
	u, err := s.store.GetUserByEmail(ctx, email)
	if err != nil {
		if parley.IsCode(err, parley.ENOTFOUND) {
			VerifyPassword(dummyHash, password)
			return nil, "", nil, bad
		}
		return nil, "", nil, err
	}
	if !VerifyPassword(u.PasswordHash, password) {
		return nil, "", nil, bad
	}
	sess, secret, err := s.startSession(ctx, s.store, u.ID, parley.LoginPassword, "", "")
	if err != nil {
		return nil, "", nil, err
	}
	return sess, secret, u, nil
}

// Logout ends the session with that secret. Unknown sessions are not an error.
func (s *Service) Logout(ctx context.Context, secret string) error {
	err := s.store.DeleteSession(ctx, HashSecret(secret))
	if parley.IsCode(err, parley.ENOTFOUND) {
		return nil
	}
	return err
}

// SessionUser returns the user and session for a session secret (cookie or
// bearer). EUNAUTHORIZED if unknown or expired.
func (s *Service) SessionUser(ctx context.Context, secret string) (*parley.User, *parley.Session, error) {
	sess, err := s.store.GetSession(ctx, HashSecret(secret))
	if err != nil {
		return nil, nil, unauthorizedAs(err)
	}
	if !s.now().Before(sess.ExpiresAt) {
		return nil, nil, parley.Errorf(parley.EUNAUTHORIZED, "Your session has expired. Please log in again.")
	}
	u, err := s.store.GetUser(ctx, sess.UserID)
	if err != nil {
		return nil, nil, unauthorizedAs(err)
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
		return parley.Errorf(parley.ENOTFOUND, "%s", msg)
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

// rateLimit takes a token from a bucket when limits are enabled.
func (s *Service) rateLimit(ctx context.Context, key string, perMinute float64, burst int) error {
	if !s.limits.Enabled || perMinute <= 0 {
		return nil
	}
	ok, wait, err := s.store.TakeRateToken(ctx, key, perMinute/60, burst, s.now())
	if err != nil {
		return err
	}
	if !ok {
		if wait < time.Second {
			wait = time.Second
		}
		return &parley.Error{Code: parley.ERATELIMITED, Message: "You are posting too fast. Please wait a moment and try again.", RetryAfter: wait}
	}
	return nil
}
