package service

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/parley-comments/parley"
	"golang.org/x/crypto/argon2"
)

// PasswordHasher hashes passwords with argon2id into the PHC string format.
// Verify reads the parameters from the hash, so hashes made with other
// parameters keep verifying after the parameters change.
type PasswordHasher struct {
	Time    uint32 // passes
	Memory  uint32 // KiB
	Threads uint8
}

const (
	argonKeyLen  = 32
	argonSaltLen = 16
)

// DefaultPasswordHasher is the production cost: RFC 9106's second
// recommended option with 64 MiB.
var DefaultPasswordHasher = PasswordHasher{Time: 3, Memory: 64 * 1024, Threads: 2}

// CheapPasswordHasher is for tests only: the smallest argon2id cost, so that
// a test setup that creates accounts takes microseconds, not seconds under
// the race detector. Never use it for real accounts.
var CheapPasswordHasher = PasswordHasher{Time: 1, Memory: 8, Threads: 1}

// Hash returns an argon2id hash of password in the PHC string format.
func (h PasswordHasher) Hash(password string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, h.Time, h.Memory, h.Threads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, h.Memory, h.Time, h.Threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// Verify reports whether password matches a PHC argon2id hash.
func (PasswordHasher) Verify(hash, password string) bool {
	ph, ok := parseHash(hash)
	if !ok {
		return false
	}
	got := deriveKey([]byte(password), ph.salt, ph.Time, ph.Memory, ph.Threads, uint32(len(ph.key)))
	return subtle.ConstantTimeCompare(got, ph.key) == 1
}

// NeedsRehash reports whether hash was made with other parameters than h's
// (cost, salt or key length), so that verifying a wrong password against it
// costs other work than h's hashes do. An unreadable hash needs one too.
func (h PasswordHasher) NeedsRehash(hash string) bool {
	ph, ok := parseHash(hash)
	return !ok || ph.PasswordHasher != h || len(ph.salt) != argonSaltLen || len(ph.key) != argonKeyLen
}

// parsedHash is a PHC argon2id hash taken apart.
type parsedHash struct {
	PasswordHasher
	salt, key []byte
}

// parseHash reads a PHC argon2id hash of the current argon2 version, with
// parameters in bounds.
func parseHash(hash string) (parsedHash, bool) {
	var ph parsedHash
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return ph, false
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return ph, false
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &ph.Memory, &ph.Time, &ph.Threads); err != nil || ph.Time == 0 || ph.Threads == 0 || ph.Memory > 1<<22 || ph.Time > 100 {
		return ph, false
	}
	b64 := base64.RawStdEncoding
	var err error
	if ph.salt, err = b64.DecodeString(parts[4]); err != nil {
		return ph, false
	}
	if ph.key, err = b64.DecodeString(parts[5]); err != nil || len(ph.key) == 0 {
		return ph, false
	}
	return ph, true
}

// deriveKey is argon2id's key derivation used by Verify; a variable so that
// a test can count derivations.
var deriveKey = argon2.IDKey

// dummyHash is verified against when the email is unknown, so that a failed
// login takes as long whether or not the account exists. It is made with the
// service's own hasher, once, on first use (not at program start).
func (s *Service) dummyHash() string {
	s.dummyOnce.Do(func() { s.dummy, _ = s.hasher.Hash("parley-timing-equaliser") })
	return s.dummy
}

// upgradeHash re-hashes a password just verified against u's hash if that
// hash was made with other parameters than the service's hasher, so that a
// wrong password for the account then costs the same work as one for an
// unknown email. The new hash is stored only if the stored one is still the
// one verified (a password changed meanwhile wins); the user's sessions
// stay, as nothing about the password changed. Like password changes, it is
// logged, not audited (the audit log is per site). A failure is logged and
// never fails the login: the old hash keeps working.
func (s *Service) upgradeHash(ctx context.Context, u *parley.User, password string) {
	if !s.hasher.NeedsRehash(u.PasswordHash) {
		return
	}
	hash, err := s.hasher.Hash(password)
	if err == nil {
		err = s.store.ReplacePasswordHash(ctx, u.ID, u.PasswordHash, hash)
	}
	switch {
	case err == nil:
		u.PasswordHash = hash
		s.log.InfoContext(ctx, "password hash upgraded to the current parameters", "user", u.ID)
	case parley.IsCode(err, parley.ECONFLICT):
		s.log.InfoContext(ctx, "password hash not upgraded: the password changed meanwhile", "user", u.ID)
	default:
		s.log.WarnContext(ctx, "upgrade password hash", "user", u.ID, "err", err)
	}
}
