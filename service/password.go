package service

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"

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
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false
	}
	var mem, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &mem, &t, &p); err != nil || t == 0 || p == 0 || mem > 1<<22 || t > 100 {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return false
	}
	got := deriveKey([]byte(password), salt, t, mem, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
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
