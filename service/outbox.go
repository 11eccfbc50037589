package service

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"os"
	"sort"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/parley-comments/parley"
)

// OutboxSender delivers one outbox message of the kind it is registered
// for. A returned error is retried with backoff unless it is Permanent.
type OutboxSender interface {
	Send(ctx context.Context, m *parley.OutboxMessage) error
}

// OutboxSenderFunc adapts a function to OutboxSender.
type OutboxSenderFunc func(ctx context.Context, m *parley.OutboxMessage) error

// Send calls f.
func (f OutboxSenderFunc) Send(ctx context.Context, m *parley.OutboxMessage) error { return f(ctx, m) }

// permanentError marks a failure that retrying cannot fix.
type permanentError struct{ err error }

func (e permanentError) Error() string   { return e.err.Error() }
func (e permanentError) Unwrap() error   { return e.err }
func (e permanentError) Permanent() bool { return true }

// Permanent wraps err so that the outbox worker parks the message at once
// instead of retrying it (an address the server refuses, a bad payload).
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanentError{err}
}

// IsPermanent reports whether err was wrapped by Permanent or carries a
// Permanent() bool method that says so (mailer.Error for a 5xx reply).
func IsPermanent(err error) bool {
	var p interface{ Permanent() bool }
	return errors.As(err, &p) && p.Permanent()
}

// OutboxOptions tunes the outbox worker. Zero fields take the defaults.
type OutboxOptions struct {
	// Owner names this worker in claims; default host-pid-random.
	Owner string
	// Lease is how long a claimed message is held before another worker
	// may take it (its worker died); default 5 minutes. Every send is
	// cancelled well before the lease ends.
	Lease time.Duration
	// Batch is how many messages one claim takes; default 20.
	Batch int
	// Poll is how often the worker looks for due messages when nothing
	// wakes it; default 2 seconds.
	Poll time.Duration
	// MaxAttempts is how many failed sends park a message; default 8.
	MaxAttempts int
	// BaseBackoff is the wait after the first failure; it doubles after
	// each further one (with ±20% jitter) up to MaxBackoff. Defaults 30
	// seconds and 1 hour: 8 attempts span about an hour.
	BaseBackoff time.Duration
	MaxBackoff  time.Duration
}

// DefaultOutboxOptions are the documented defaults (docs/email.md).
var DefaultOutboxOptions = OutboxOptions{Lease: 5 * time.Minute, Batch: 20, Poll: 2 * time.Second, MaxAttempts: 8,
	BaseBackoff: 30 * time.Second, MaxBackoff: time.Hour}

func (o OutboxOptions) withDefaults() OutboxOptions {
	d := DefaultOutboxOptions
	if o.Owner == "" {
		host, _ := os.Hostname()
		b := make([]byte, 4)
		_, _ = rand.Read(b)
		o.Owner = fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b))
	}
	o.Lease = positiveOr(o.Lease, d.Lease)
	o.Batch = positiveOr(o.Batch, d.Batch)
	o.Poll = positiveOr(o.Poll, d.Poll)
	o.MaxAttempts = positiveOr(o.MaxAttempts, d.MaxAttempts)
	o.BaseBackoff = positiveOr(o.BaseBackoff, d.BaseBackoff)
	o.MaxBackoff = positiveOr(o.MaxBackoff, d.MaxBackoff)
	return o
}

// positiveOr returns v if it is positive and def otherwise.
func positiveOr[T int | time.Duration](v, def T) T {
	if v > 0 {
		return v
	}
	return def
}

// outbox is the service's outbox state: senders by kind and the worker.
type outbox struct {
	mu      sync.RWMutex
	senders map[string]OutboxSender
	opts    OutboxOptions
	running bool
	wake    chan struct{}
}

// RegisterOutboxSender sets the sender for one message kind (for example
// parley.OutboxEmail). Messages of a kind without a sender stay pending in
// the outbox: nothing is dropped, nothing is marked sent.
func (s *Service) RegisterOutboxSender(kind string, snd OutboxSender) {
	s.outbox.mu.Lock()
	defer s.outbox.mu.Unlock()
	if s.outbox.senders == nil {
		s.outbox.senders = map[string]OutboxSender{}
	}
	s.outbox.senders[kind] = snd
}

// HasOutboxSender reports whether a sender is registered for kind.
func (s *Service) HasOutboxSender(kind string) bool {
	s.outbox.mu.RLock()
	defer s.outbox.mu.RUnlock()
	return s.outbox.senders[kind] != nil
}

// SetOutboxOptions sets the worker's options. Call it before RunOutbox.
func (s *Service) SetOutboxOptions(o OutboxOptions) {
	s.outbox.mu.Lock()
	defer s.outbox.mu.Unlock()
	s.outbox.opts = o.withDefaults()
}

func (s *Service) outboxOptions() OutboxOptions {
	s.outbox.mu.Lock()
	defer s.outbox.mu.Unlock()
	if s.outbox.opts.Owner == "" {
		s.outbox.opts = s.outbox.opts.withDefaults()
	}
	return s.outbox.opts
}

// OutboxLastAttempt reports whether a claimed message is on its last try:
// if this send fails (even with a retryable error), it is parked. Senders
// that keep their own delivery log use it to record a final failure.
func (s *Service) OutboxLastAttempt(m *parley.OutboxMessage) bool {
	return m.Attempts >= s.outboxOptions().MaxAttempts
}

// KickOutbox wakes the worker so a message enqueued a moment ago goes out
// now rather than at the next poll. It never blocks.
func (s *Service) KickOutbox() {
	select {
	case s.outbox.wake <- struct{}{}:
	default:
	}
}

// RunOutbox runs this process's outbox worker until ctx is done. There is
// one worker per process: a second call returns an error at once. Workers
// of several processes share the database safely.
func (s *Service) RunOutbox(ctx context.Context) error {
	s.outbox.mu.Lock()
	if s.outbox.running {
		s.outbox.mu.Unlock()
		return errors.New("the outbox worker is already running in this process")
	}
	s.outbox.running = true
	s.outbox.mu.Unlock()
	defer func() {
		s.outbox.mu.Lock()
		s.outbox.running = false
		s.outbox.mu.Unlock()
	}()
	o := s.outboxOptions()
	s.log.InfoContext(ctx, "outbox worker started", "owner", o.Owner)
	t := time.NewTicker(o.Poll)
	defer t.Stop()
	for {
		if _, err := s.DrainOutbox(ctx); err != nil && ctx.Err() == nil {
			s.log.WarnContext(ctx, "outbox", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		case <-s.outbox.wake:
		}
	}
}

// DrainOutbox sends every message that is due now, kind by kind, until a
// claim comes back empty, and returns how many it handled (sent, retried
// or parked). RunOutbox calls it on every tick; tests call it directly.
func (s *Service) DrainOutbox(ctx context.Context) (int, error) {
	o := s.outboxOptions()
	s.outbox.mu.RLock()
	kinds := make([]string, 0, len(s.outbox.senders))
	for k := range s.outbox.senders {
		kinds = append(kinds, k)
	}
	s.outbox.mu.RUnlock()
	sort.Strings(kinds)
	total := 0
	for _, kind := range kinds {
		for ctx.Err() == nil {
			ms, err := s.store.ClaimOutbox(ctx, kind, o.Owner, s.now(), o.Lease, o.Batch)
			if err != nil {
				return total, err
			}
			if len(ms) == 0 {
				break
			}
			for _, m := range ms {
				if err := s.deliver(ctx, o, m); err != nil {
					return total, err
				}
				total++
			}
		}
	}
	return total, ctx.Err()
}

// deliver sends one claimed message and records the outcome. It returns
// an error only when the outcome could not be recorded.
func (s *Service) deliver(ctx context.Context, o OutboxOptions, m *parley.OutboxMessage) error {
	s.outbox.mu.RLock()
	snd := s.outbox.senders[m.Kind]
	s.outbox.mu.RUnlock()
	// Leave a margin so the outcome is recorded before the lease ends.
	sendCtx, cancel := context.WithTimeout(ctx, o.Lease*3/4)
	err := snd.Send(sendCtx, m)
	cancel()
	now := s.now()
	if err == nil {
		if err := s.store.CompleteOutbox(ctx, m.ID, now); err != nil {
			return fmt.Errorf("outbox %s sent but not marked sent: %w", m.ID, err)
		}
		return nil
	}
	if ctx.Err() != nil {
		// Shutting down: the lease runs out and another worker (or this one
		// after a restart) tries again.
		return ctx.Err()
	}
	msg := truncateRunes(errorText(err), 1000)
	if IsPermanent(err) || m.Attempts >= o.MaxAttempts {
		s.log.WarnContext(ctx, "outbox message parked", "id", m.ID, "kind", m.Kind, "site", m.SiteID, "attempts", m.Attempts, "err", msg)
		return s.store.ParkOutbox(ctx, m.ID, msg, now)
	}
	next := now.Add(backoff(o, m.Attempts))
	s.log.InfoContext(ctx, "outbox send failed; will retry", "id", m.ID, "kind", m.Kind, "attempts", m.Attempts, "next", next, "err", msg)
	return s.store.RetryOutbox(ctx, m.ID, msg, next)
}

// backoff is the wait after the given number of failed attempts:
// BaseBackoff·2^(attempts−1), capped at MaxBackoff, with ±20% jitter.
func backoff(o OutboxOptions, attempts int) time.Duration {
	d := o.BaseBackoff
	for i := 1; i < attempts && d < o.MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, o.MaxBackoff)
	jitter := time.Duration(mrand.Int64N(int64(d)/5*2+1)) - d/5
	return d + jitter
}

// errorText is the text recorded for a failed send, valid UTF-8.
func errorText(err error) string {
	t := err.Error()
	if !utf8.ValidString(t) {
		t = fmt.Sprintf("%q", t)
	}
	return t
}
