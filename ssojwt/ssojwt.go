// Package ssojwt verifies the hand-off tokens a newsroom's backend signs
// for its signed-in readers (parley.SSOVerifier), with golang-jwt: HS256
// with a per-site secret, RS256 or EdDSA with a PEM public key, or RS256,
// ES256 or EdDSA with keys from a JWKS URL. Unsigned tokens ("alg":
// "none"), algorithms the site's key does not allow, expired tokens,
// tokens for another site (aud) and tokens that live too long are refused
// with a reason a developer can act on.
package ssojwt

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/golang-jwt/jwt/v5"

	"github.com/parley-comments/parley"
)

// MaxLifetime is the longest a hand-off token may live (exp minus now).
const MaxLifetime = time.Hour

// Leeway absorbs clock skew between the newsroom and Parley.
const Leeway = 30 * time.Second

// jwksTTL is how long fetched keys are trusted before a refetch; an
// unknown kid refetches at most once per jwksMinRefetch.
const (
	jwksTTL        = 10 * time.Minute
	jwksMinRefetch = 30 * time.Second
)

// Claims is the token's payload.
type Claims struct {
	jwt.RegisteredClaims
	Name  string `json:"name"`
	Email string `json:"email,omitempty"`
	Role  string `json:"role,omitempty"`
}

// Verifier implements parley.SSOVerifier. The zero value is not usable;
// call New.
type Verifier struct {
	client *http.Client
	mu     sync.Mutex
	jwks   map[string]*keySet
}

type keySet struct {
	keys    jose.JSONWebKeySet
	fetched time.Time
}

// New returns a Verifier that fetches JWKS documents with client (nil: a
// client with a 10 s timeout).
func New(client *http.Client) *Verifier {
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	return &Verifier{client: client, jwks: map[string]*keySet{}}
}

var (
	errAlgorithm  = errors.New("algorithm not allowed")
	errUnknownKey = errors.New("unknown key")
	errKeyFetch   = errors.New("keys unavailable")
)

// refuse is the one refusal shape: 401 with a machine-readable reason.
func refuse(reason string, cause error, format string, args ...any) error {
	e := parley.WrapErrorf(parley.EUNAUTHORIZED, cause, format, args...)
	e.Fields = map[string]any{"reason": reason}
	return e
}

// VerifySSO implements parley.SSOVerifier.
func (v *Verifier) VerifySSO(ctx context.Context, cfg parley.SSOConfig, siteID, token string, now time.Time) (*parley.SSOClaims, error) {
	if !cfg.Enabled() {
		return nil, parley.Errorf(parley.EINVALID, "Single sign-on is not set up for this site.")
	}
	var c Claims
	p := jwt.NewParser(jwt.WithAudience(siteID), jwt.WithExpirationRequired(), jwt.WithIssuedAt(), jwt.WithLeeway(Leeway),
		jwt.WithTimeFunc(func() time.Time { return now }), jwt.WithJSONNumber())
	_, err := p.ParseWithClaims(token, &c, func(t *jwt.Token) (any, error) { return v.key(ctx, cfg, t, now) })
	switch {
	case err == nil:
	case errors.Is(err, errAlgorithm):
		return nil, refuse("algorithm", err, "The sign-in token's algorithm is not allowed for this site (unsigned tokens never are).")
	case errors.Is(err, errUnknownKey):
		return nil, refuse("signature", err, "The sign-in token was signed with a key this site does not know.")
	case errors.Is(err, errKeyFetch):
		return nil, refuse("key_unavailable", err, "The site's signing keys could not be fetched; try again later.")
	case errors.Is(err, jwt.ErrTokenMalformed):
		return nil, refuse("malformed", err, "The sign-in token is not a well-formed JWT.")
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		return nil, refuse("signature", err, "The sign-in token's signature is wrong: it was not signed with this site's key.")
	case errors.Is(err, jwt.ErrTokenExpired):
		return nil, refuse("expired", err, "The sign-in token has expired; the site must issue a new one.")
	case errors.Is(err, jwt.ErrTokenInvalidAudience), errors.Is(err, jwt.ErrTokenRequiredClaimMissing) && c.Audience == nil:
		return nil, refuse("audience", err, "The sign-in token is for another site (its aud must be %q).", siteID)
	case errors.Is(err, jwt.ErrTokenNotValidYet), errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		return nil, refuse("not_yet_valid", err, "The sign-in token is not valid yet (check the signer's clock).")
	case errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		return nil, refuse("claims", err, "The sign-in token has no exp claim.")
	default:
		return nil, refuse("invalid", err, "The sign-in token is not valid.")
	}
	switch {
	case c.ExpiresAt.Time.Sub(now) > MaxLifetime:
		return nil, refuse("lifetime", nil, "The sign-in token lives too long: exp may be at most %s ahead.", MaxLifetime)
	case c.Subject == "" || len(c.Subject) > 255:
		return nil, refuse("claims", nil, "The sign-in token needs sub: the user's stable ID on the site (1 to 255 bytes).")
	case c.ID == "" || len(c.ID) > 255:
		return nil, refuse("claims", nil, "The sign-in token needs jti: a unique ID, so that it can be used once.")
	}
	role := parley.Role(c.Role)
	if role != "" && !role.Valid() {
		return nil, refuse("claims", nil, "The sign-in token's role must be author, moderator, admin or absent.")
	}
	return &parley.SSOClaims{TokenID: c.ID, Subject: c.Subject, Name: c.Name, Email: c.Email, Role: role, ExpiresAt: c.ExpiresAt.Time}, nil
}

// key returns the verification key for t, refusing an algorithm the
// site's configuration does not allow.
func (v *Verifier) key(ctx context.Context, cfg parley.SSOConfig, t *jwt.Token, now time.Time) (any, error) {
	alg := t.Method.Alg()
	switch {
	case cfg.Secret != "":
		if alg != jwt.SigningMethodHS256.Alg() {
			return nil, errAlgorithm
		}
		return []byte(cfg.Secret), nil
	case cfg.PublicKey != "":
		pub, err := ParsePublicKey(cfg.PublicKey)
		if err != nil {
			return nil, err
		}
		return checkKeyAlg(pub, alg)
	default:
		kid, _ := t.Header["kid"].(string)
		pub, err := v.jwksKey(ctx, cfg.JWKSURL, kid, now)
		if err != nil {
			return nil, err
		}
		return checkKeyAlg(pub, alg)
	}
}

// checkKeyAlg allows RS256 for RSA keys, ES256 for P-256 keys and EdDSA
// for Ed25519 keys.
func checkKeyAlg(pub crypto.PublicKey, alg string) (any, error) {
	var ok bool
	switch pub.(type) {
	case *rsa.PublicKey:
		ok = alg == jwt.SigningMethodRS256.Alg()
	case ed25519.PublicKey:
		ok = alg == jwt.SigningMethodEdDSA.Alg()
	case *ecdsa.PublicKey:
		ok = alg == jwt.SigningMethodES256.Alg()
	}
	if !ok {
		return nil, errAlgorithm
	}
	return pub, nil
}

// ParsePublicKey parses a PEM RSA or Ed25519 public key. Configuration
// code calls it to refuse a bad key before it is stored.
func ParsePublicKey(pemText string) (crypto.PublicKey, error) {
	if k, err := jwt.ParseRSAPublicKeyFromPEM([]byte(pemText)); err == nil {
		return k, nil
	}
	k, err := jwt.ParseEdPublicKeyFromPEM([]byte(pemText))
	if err != nil {
		return nil, parley.Errorf(parley.EINVALID, "The public key must be an RSA or Ed25519 public key in PEM form.")
	}
	return k, nil
}

// jwksKey returns the key with that kid from the JWKS at url, fetching
// it when it is older than jwksTTL or lacks the kid.
func (v *Verifier) jwksKey(ctx context.Context, url, kid string, now time.Time) (crypto.PublicKey, error) {
	v.mu.Lock()
	ks := v.jwks[url]
	v.mu.Unlock()
	stale := ks == nil || now.Sub(ks.fetched) > jwksTTL
	if !stale && len(ks.keys.Key(kid)) == 0 && now.Sub(ks.fetched) > jwksMinRefetch {
		stale = true
	}
	if stale {
		fresh, err := v.fetchJWKS(ctx, url, now)
		if err != nil {
			if ks == nil {
				return nil, fmt.Errorf("%w: %v", errKeyFetch, err)
			}
		} else {
			ks = fresh
		}
	}
	var keys []jose.JSONWebKey
	if kid != "" {
		keys = ks.keys.Key(kid)
	} else {
		keys = slices.DeleteFunc(slices.Clone(ks.keys.Keys), func(k jose.JSONWebKey) bool { return !k.Valid() || !k.IsPublic() })
		if len(keys) > 1 {
			keys = nil // ambiguous without a kid
		}
	}
	if len(keys) == 0 {
		return nil, errUnknownKey
	}
	return keys[0].Key, nil
}

func (v *Verifier) fetchJWKS(ctx context.Context, url string, now time.Time) (*keySet, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	res, err := v.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("JWKS %s: HTTP %d", url, res.StatusCode)
	}
	ks := &keySet{fetched: now}
	if err := json.NewDecoder(io.LimitReader(res.Body, 1<<20)).Decode(&ks.keys); err != nil {
		return nil, fmt.Errorf("JWKS %s: %w", url, err)
	}
	v.mu.Lock()
	v.jwks[url] = ks
	v.mu.Unlock()
	return ks, nil
}

var _ parley.SSOVerifier = (*Verifier)(nil)
