package service_test

import (
	"context"
	"strings"
	"testing"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/service"
	"github.com/parley-comments/parley/sqlstore/sqltest"
)

// TestProductionPasswordHasher is the one test that pays the production
// argon2id cost (every other test uses CheapPasswordHasher): the parameters
// written into the hash, and a login against an account hashed with them.
func TestProductionPasswordHasher(t *testing.T) {
	t.Parallel()
	h := service.DefaultPasswordHasher
	hash, err := h.Hash("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "$argon2id$v=19$m=65536,t=3,p=2$") {
		t.Fatalf("hash %q does not carry the production parameters", hash)
	}
	if !h.Verify(hash, "correct horse battery") || h.Verify(hash, "correct horse battery!") {
		t.Fatal("verify")
	}

	ctx := context.Background()
	svc := service.New(service.Options{Store: sqltest.OpenSQLite(t)}) // zero Passwords: production
	if _, err := svc.CreateUser(ctx, "a@example.com", "A", "correct horse battery"); err != nil {
		t.Fatal(err)
	}
	_, _, u, err := svc.Login(ctx, "a@example.com", "correct horse battery", "k")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(u.PasswordHash, "$m=65536,t=3,p=2$") {
		t.Fatalf("stored hash %q was not made with the production parameters", u.PasswordHash)
	}
	if _, _, _, err := svc.Login(ctx, "a@example.com", "wrong horse battery", "k"); !parley.IsCode(err, parley.EUNAUTHORIZED) {
		t.Fatalf("wrong password: %v", err)
	}
	if _, _, _, err := svc.Login(ctx, "nobody@example.com", "correct horse battery", "k"); !parley.IsCode(err, parley.EUNAUTHORIZED) {
		t.Fatalf("unknown account: %v", err)
	}
}

// TestPasswordHashParametersTravelWithTheHash: a hash verifies by its own
// parameters, so changing the cost never locks anyone out, and a damaged
// hash never verifies.
func TestPasswordHashParametersTravelWithTheHash(t *testing.T) {
	t.Parallel()
	cheap, err := service.CheapPasswordHasher.Hash("pw-0123456789")
	if err != nil {
		t.Fatal(err)
	}
	if !service.DefaultPasswordHasher.Verify(cheap, "pw-0123456789") {
		t.Fatal("a hash made with other parameters does not verify")
	}
	parts := strings.Split(cheap, "$")
	for _, bad := range []string{
		"", "plain", strings.Replace(cheap, "argon2id", "argon2i", 1), strings.Replace(cheap, "v=19", "v=16", 1),
		strings.Join(append(parts[:3:3], "m=8,t=0,p=1", parts[4], parts[5]), "$"),
		strings.Join(append(parts[:3:3], "m=99999999,t=1,p=1", parts[4], parts[5]), "$"),
		strings.Join(append(parts[:5:5], ""), "$"),
		strings.Join(append(parts[:4:4], "!!", parts[5]), "$"),
	} {
		if service.DefaultPasswordHasher.Verify(bad, "pw-0123456789") {
			t.Errorf("%q verified", bad)
		}
	}
}
