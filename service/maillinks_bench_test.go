package service_test

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/parley-comments/parley/service"
	"github.com/parley-comments/parley/sqlstore/sqltest"
)

// BenchmarkPasswordResetRequest compares a reset request for an address
// with an account and one without: the answers are equal, and so should
// the time be (go test ./service -run - -bench PasswordReset).
func BenchmarkPasswordResetRequest(b *testing.B) {
	ctx := context.Background()
	svc := service.New(service.Options{Store: sqltest.OpenSQLite(b), Passwords: service.CheapPasswordHasher, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if _, err := svc.CreateSite(ctx, "news", "News", []string{"https://news.example"}); err != nil {
		b.Fatal(err)
	}
	if _, err := svc.CreateUser(ctx, "known@news.example", "Known", "long enough password"); err != nil {
		b.Fatal(err)
	}
	if err := svc.SetRole(ctx, "news", "known@news.example", "moderator"); err != nil {
		b.Fatal(err)
	}
	for _, addr := range []string{"known@news.example", "unknown@news.example"} {
		b.Run(addr[:len(addr)-len("@news.example")], func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if err := svc.RequestPasswordReset(ctx, addr, "en", "k"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
