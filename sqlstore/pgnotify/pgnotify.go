// Package pgnotify is a parley.EventBus over PostgreSQL LISTEN/NOTIFY, so
// that every Parley instance sharing one database sees every instance's
// events.
//
// Delivery is best effort, as parley.EventBus allows: an event published
// while the LISTEN connection is being re-established, or sent to a
// subscriber whose buffer is full, is lost. Subscribers treat events as
// hints and re-read the database.
package pgnotify

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/parley-comments/parley"
)

// Channel is the PostgreSQL notification channel.
const Channel = "parley_events"

// subscriberBuffer is each subscriber's channel capacity.
const subscriberBuffer = 256

// Bus publishes events with NOTIFY and delivers every notification on the
// channel, including this instance's own, to all local subscribers.
type Bus struct {
	pool     *pgxpool.Pool
	listenCf *pgx.ConnConfig
	logger   *slog.Logger

	mu     sync.Mutex
	subs   map[chan parley.Event]struct{}
	closed bool

	cancel context.CancelFunc
	done   chan struct{}
}

var _ parley.EventBus = (*Bus)(nil)

// New connects to the database at dsn (a postgres:// URL), starts
// listening, and returns the bus. ctx bounds only the initial connection;
// the bus runs until Close. When the LISTEN connection fails the bus
// reconnects with backoff (100ms doubling to 5s) and logs the failure.
func New(ctx context.Context, dsn string, logger *slog.Logger) (*Bus, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	listenCf, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, parley.WrapError(parley.EINTERNAL, "Invalid database URL.", err)
	}
	listenCf.RuntimeParams["application_name"] = "parley-listen"
	poolCf, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, parley.WrapError(parley.EINTERNAL, "Invalid database URL.", err)
	}
	if poolCf.MaxConns > 4 {
		poolCf.MaxConns = 4
	}
	poolCf.ConnConfig.RuntimeParams["application_name"] = "parley-notify"
	pool, err := pgxpool.NewWithConfig(ctx, poolCf)
	if err != nil {
		return nil, parley.WrapError(parley.EUNAVAILABLE, "Cannot connect to the database.", err)
	}
	b := &Bus{pool: pool, listenCf: listenCf, logger: logger, subs: map[chan parley.Event]struct{}{}, done: make(chan struct{})}
	conn, err := b.listen(ctx)
	if err != nil {
		pool.Close()
		return nil, parley.WrapError(parley.EUNAVAILABLE, "Cannot listen for events.", err)
	}
	runCtx, cancel := context.WithCancel(context.Background())
	b.cancel = cancel
	go b.run(runCtx, conn)
	return b, nil
}

// listen opens a dedicated connection and LISTENs on Channel.
func (b *Bus) listen(ctx context.Context) (*pgx.Conn, error) {
	conn, err := pgx.ConnectConfig(ctx, b.listenCf)
	if err != nil {
		return nil, err
	}
	if _, err := conn.Exec(ctx, "LISTEN "+Channel); err != nil {
		conn.Close(context.Background())
		return nil, err
	}
	return conn, nil
}

// run receives notifications until ctx is cancelled, reconnecting as needed.
func (b *Bus) run(ctx context.Context, conn *pgx.Conn) {
	defer close(b.done)
	backoff := 100 * time.Millisecond
	for {
		if conn == nil {
			var err error
			conn, err = b.listen(ctx)
			if err != nil {
				if ctx.Err() != nil {
					return
				}
				b.logger.Warn("pgnotify: reconnect failed", "err", err, "retry_in", backoff)
				select {
				case <-ctx.Done():
					return
				case <-time.After(backoff):
				}
				backoff = min(backoff*2, 5*time.Second)
				continue
			}
			b.logger.Info("pgnotify: listening again")
			backoff = 100 * time.Millisecond
		}
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			conn.Close(context.Background())
			conn = nil
			if ctx.Err() != nil {
				return
			}
			b.logger.Warn("pgnotify: listen connection lost; reconnecting", "err", err)
			continue
		}
		var e parley.Event
		if err := json.Unmarshal([]byte(n.Payload), &e); err != nil {
			b.logger.Warn("pgnotify: ignoring malformed notification", "err", err)
			continue
		}
		b.deliver(e)
	}
}

func (b *Bus) deliver(e parley.Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for ch := range b.subs {
		select {
		case ch <- e:
		default: // slow subscriber: drop, events are hints
		}
	}
}

// Publish sends e to every instance listening on the database, this one
// included. EUNAVAILABLE if the database cannot be reached.
func (b *Bus) Publish(ctx context.Context, e parley.Event) error {
	payload, err := json.Marshal(e)
	if err != nil {
		return parley.WrapError(parley.EINTERNAL, "Internal error.", err)
	}
	if _, err := b.pool.Exec(ctx, "SELECT pg_notify($1, $2)", Channel, string(payload)); err != nil {
		return parley.WrapError(parley.EUNAVAILABLE, "Cannot publish the event.", err)
	}
	return nil
}

// Subscribe returns a channel of events that is closed when ctx is done or
// the bus is closed. A subscriber that falls more than 256 events behind
// misses events.
func (b *Bus) Subscribe(ctx context.Context) <-chan parley.Event {
	ch := make(chan parley.Event, subscriberBuffer)
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		close(ch)
		return ch
	}
	b.subs[ch] = struct{}{}
	b.mu.Unlock()
	go func() {
		select {
		case <-ctx.Done():
		case <-b.done:
		}
		b.mu.Lock()
		defer b.mu.Unlock()
		if _, ok := b.subs[ch]; ok {
			delete(b.subs, ch)
			close(ch)
		}
	}()
	return ch
}

// Close stops listening, closes every subscriber channel and the
// connections. It is safe to call more than once.
func (b *Bus) Close() error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil
	}
	b.closed = true
	b.mu.Unlock()
	b.cancel()
	<-b.done
	b.pool.Close()
	b.mu.Lock()
	for ch := range b.subs {
		delete(b.subs, ch)
		close(ch)
	}
	b.mu.Unlock()
	return nil
}
