package ssojwt_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/golang-jwt/jwt/v5"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/ssojwt"
)

var now = time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)

const secret = "0123456789abcdef0123456789abcdef-site-a"

func claims(mut func(jwt.MapClaims)) jwt.MapClaims {
	c := jwt.MapClaims{"sub": "reader-42", "name": "Ada Reader", "email": "ada@news.example", "aud": "a",
		"iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(), "jti": "t-1"}
	if mut != nil {
		mut(c)
	}
	return c
}

func sign(t *testing.T, m jwt.SigningMethod, key any, c jwt.MapClaims, kid string) string {
	t.Helper()
	tok := jwt.NewWithClaims(m, c)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func pemOf(t *testing.T, pub any) string {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

// refusal asserts an EUNAUTHORIZED with the given reason.
func refusal(t *testing.T, err error, reason string) {
	t.Helper()
	var pe *parley.Error
	if err == nil {
		t.Fatalf("want refusal %q, got no error", reason)
	}
	if !errors.As(err, &pe) || pe.Code != parley.EUNAUTHORIZED || pe.Fields["reason"] != reason {
		t.Fatalf("want EUNAUTHORIZED reason %q, got %v", reason, err)
	}
	if pe.Message == "" {
		t.Fatal("a refusal needs a message")
	}
}

func TestHS256(t *testing.T) {
	t.Parallel()
	v := ssojwt.New(nil)
	cfg := parley.SSOConfig{Secret: secret}
	ctx := context.Background()
	got, err := v.VerifySSO(ctx, cfg, "a", sign(t, jwt.SigningMethodHS256, []byte(secret), claims(func(c jwt.MapClaims) { c["role"] = "author" }), ""), now)
	if err != nil {
		t.Fatal(err)
	}
	if got.Subject != "reader-42" || got.Name != "Ada Reader" || got.Email != "ada@news.example" || got.Role != parley.RoleAuthor || got.TokenID != "t-1" || !got.ExpiresAt.Equal(now.Add(5*time.Minute)) {
		t.Fatalf("claims = %+v", got)
	}
	cases := []struct {
		name, reason, token string
	}{
		{"expired", "expired", sign(t, jwt.SigningMethodHS256, []byte(secret), claims(func(c jwt.MapClaims) { c["exp"] = now.Add(-time.Minute).Unix() }), "")},
		{"wrong key", "signature", sign(t, jwt.SigningMethodHS256, []byte(secret+"-other"), claims(nil), "")},
		{"wrong site", "audience", sign(t, jwt.SigningMethodHS256, []byte(secret), claims(func(c jwt.MapClaims) { c["aud"] = "b" }), "")},
		{"no audience", "audience", sign(t, jwt.SigningMethodHS256, []byte(secret), claims(func(c jwt.MapClaims) { delete(c, "aud") }), "")},
		{"alg none", "algorithm", sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, claims(nil), "")},
		{"HS512", "algorithm", sign(t, jwt.SigningMethodHS512, []byte(secret), claims(nil), "")},
		{"no exp", "claims", sign(t, jwt.SigningMethodHS256, []byte(secret), claims(func(c jwt.MapClaims) { delete(c, "exp") }), "")},
		{"too long", "lifetime", sign(t, jwt.SigningMethodHS256, []byte(secret), claims(func(c jwt.MapClaims) { c["exp"] = now.Add(2 * time.Hour).Unix() }), "")},
		{"future", "not_yet_valid", sign(t, jwt.SigningMethodHS256, []byte(secret), claims(func(c jwt.MapClaims) { c["nbf"] = now.Add(10 * time.Minute).Unix() }), "")},
		{"no jti", "claims", sign(t, jwt.SigningMethodHS256, []byte(secret), claims(func(c jwt.MapClaims) { delete(c, "jti") }), "")},
		{"no sub", "claims", sign(t, jwt.SigningMethodHS256, []byte(secret), claims(func(c jwt.MapClaims) { delete(c, "sub") }), "")},
		{"bad role", "claims", sign(t, jwt.SigningMethodHS256, []byte(secret), claims(func(c jwt.MapClaims) { c["role"] = "owner" }), "")},
		{"garbage", "malformed", "not.a.jwt"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := v.VerifySSO(ctx, cfg, "a", tc.token, now)
			refusal(t, err, tc.reason)
		})
	}
	// Within the leeway, a token that just expired still passes.
	if _, err := v.VerifySSO(ctx, cfg, "a", sign(t, jwt.SigningMethodHS256, []byte(secret), claims(func(c jwt.MapClaims) { c["exp"] = now.Add(-10 * time.Second).Unix() }), ""), now); err != nil {
		t.Fatalf("10 s of clock skew: %v", err)
	}
}

func TestPublicKeys(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	v := ssojwt.New(nil)
	rk, _ := rsa.GenerateKey(rand.Reader, 2048)
	epub, epriv, _ := ed25519.GenerateKey(rand.Reader)
	rsaCfg := parley.SSOConfig{PublicKey: pemOf(t, &rk.PublicKey)}
	edCfg := parley.SSOConfig{PublicKey: pemOf(t, epub)}
	if _, err := v.VerifySSO(ctx, rsaCfg, "a", sign(t, jwt.SigningMethodRS256, rk, claims(nil), ""), now); err != nil {
		t.Fatalf("RS256: %v", err)
	}
	if _, err := v.VerifySSO(ctx, edCfg, "a", sign(t, jwt.SigningMethodEdDSA, epriv, claims(nil), ""), now); err != nil {
		t.Fatalf("EdDSA: %v", err)
	}
	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	_, err := v.VerifySSO(ctx, rsaCfg, "a", sign(t, jwt.SigningMethodRS256, other, claims(nil), ""), now)
	refusal(t, err, "signature")
	// Algorithm confusion: an HS256 token "signed" with the public key's PEM.
	_, err = v.VerifySSO(ctx, rsaCfg, "a", sign(t, jwt.SigningMethodHS256, []byte(rsaCfg.PublicKey), claims(nil), ""), now)
	refusal(t, err, "algorithm")
	_, err = v.VerifySSO(ctx, edCfg, "a", sign(t, jwt.SigningMethodRS256, rk, claims(nil), ""), now)
	refusal(t, err, "algorithm")
	_, err = v.VerifySSO(ctx, rsaCfg, "a", sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, claims(nil), ""), now)
	refusal(t, err, "algorithm")
}

func TestJWKS(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	rk, _ := rsa.GenerateKey(rand.Reader, 2048)
	ek, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	keys := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{
		{Key: &rk.PublicKey, KeyID: "r1", Algorithm: "RS256", Use: "sig"},
		{Key: &ek.PublicKey, KeyID: "e1", Algorithm: "ES256", Use: "sig"},
	}}
	fetches := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fetches++
		_ = json.NewEncoder(w).Encode(keys)
	}))
	defer srv.Close()
	v := ssojwt.New(srv.Client())
	cfg := parley.SSOConfig{JWKSURL: srv.URL + "/jwks.json"}
	if _, err := v.VerifySSO(ctx, cfg, "a", sign(t, jwt.SigningMethodRS256, rk, claims(nil), "r1"), now); err != nil {
		t.Fatalf("RS256 from JWKS: %v", err)
	}
	if _, err := v.VerifySSO(ctx, cfg, "a", sign(t, jwt.SigningMethodES256, ek, claims(nil), "e1"), now); err != nil {
		t.Fatalf("ES256 from JWKS: %v", err)
	}
	if fetches != 1 {
		t.Fatalf("keys fetched %d times, want 1 (cached)", fetches)
	}
	// A key signed under the wrong kid, and an unknown kid.
	_, err := v.VerifySSO(ctx, cfg, "a", sign(t, jwt.SigningMethodRS256, rk, claims(nil), "e1"), now)
	refusal(t, err, "algorithm")
	_, err = v.VerifySSO(ctx, cfg, "a", sign(t, jwt.SigningMethodRS256, rk, claims(nil), "nope"), now.Add(time.Minute))
	refusal(t, err, "signature")
	if fetches != 2 {
		t.Fatalf("an unknown kid fetched the keys %d times in all, want 2", fetches)
	}
	down := ssojwt.New(nil)
	_, err = down.VerifySSO(ctx, parley.SSOConfig{JWKSURL: "http://127.0.0.1:1/jwks.json"}, "a", sign(t, jwt.SigningMethodRS256, rk, claims(nil), "r1"), now)
	refusal(t, err, "key_unavailable")
}
