package service_test

import (
	"context"
	"testing"
	"time"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/service"
	"github.com/parley-comments/parley/sqlstore/sqltest"
)

// BenchmarkLoginKnownVsUnknown measures a failed login with the production
// password hasher (argon2id, 3 passes, 64 MiB, 2 lanes) on a real SQLite
// database: a wrong password for an existing account against an unknown
// email, interleaved (one of each per iteration) so that machine load
// weighs on both alike. Rate limits are off (they would refuse the
// repeated attempts); TestUnknownEmailAndWrongPasswordDoTheSameWork shows
// both paths take the same limits. It reports the mean of each path and
// their difference:
//
//	go test ./service -run '^$' -bench LoginKnownVsUnknown -benchtime 20x
func BenchmarkLoginKnownVsUnknown(b *testing.B) {
	db := sqltest.OpenSQLite(b)
	s := service.New(service.Options{Store: db, Clock: parley.SystemClock{}, Passwords: service.DefaultPasswordHasher})
	ctx := context.Background()
	if _, err := s.CreateUser(ctx, "real@example.org", "Real", "long enough password"); err != nil {
		b.Fatal(err)
	}
	try := func(email string) time.Duration {
		start := time.Now()
		if _, _, _, err := s.Login(ctx, email, "wrong password!", "192.0.2.9"); !parley.IsCode(err, parley.EUNAUTHORIZED) {
			b.Fatalf("login %s: %v", email, err)
		}
		return time.Since(start)
	}
	try("warm@example.org") // the dummy hash is made on the first login of a process
	var known, unknown time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if i%2 == 0 {
			known += try("real@example.org")
			unknown += try("nobody@example.org")
		} else {
			unknown += try("nobody@example.org")
			known += try("real@example.org")
		}
	}
	k, u := known.Seconds()*1000/float64(b.N), unknown.Seconds()*1000/float64(b.N)
	b.ReportMetric(k, "known-ms/op")
	b.ReportMetric(u, "unknown-ms/op")
	b.ReportMetric(100*(k-u)/u, "diff-%")
}
