package ssojwt_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/ssojwt"
)

// FuzzVerifySSO feeds arbitrary tokens to the verifier: it must never
// panic, and must accept only tokens signed with the site's secret.
func FuzzVerifySSO(f *testing.F) {
	good, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, claims(nil)).SignedString([]byte(secret))
	none, _ := jwt.NewWithClaims(jwt.SigningMethodNone, claims(nil)).SignedString(jwt.UnsafeAllowNoneSignatureType)
	for _, s := range []string{good, none, "", ".", "..", "a.b.c", "eyJhbGciOiJIUzI1NiJ9.e30.", good + "x", strings.Replace(good, ".", "..", 1)} {
		f.Add(s)
	}
	v := ssojwt.New(nil)
	cfg := parley.SSOConfig{Secret: secret}
	f.Fuzz(func(t *testing.T, tok string) {
		c, err := v.VerifySSO(context.Background(), cfg, "a", tok, now)
		if err != nil {
			if parley.ErrorCode(err) != parley.EUNAUTHORIZED {
				t.Fatalf("refusal with code %q: %v", parley.ErrorCode(err), err)
			}
			return
		}
		// Accepted: it must be a token this secret signed.
		if _, perr := jwt.Parse(tok, func(*jwt.Token) (any, error) { return []byte(secret), nil }, jwt.WithValidMethods([]string{"HS256"}),
			jwt.WithTimeFunc(func() time.Time { return now })); perr != nil || c.Subject == "" {
			t.Fatalf("accepted a token not signed with the site's secret: %q (%v)", tok, perr)
		}
	})
}
