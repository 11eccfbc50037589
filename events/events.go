// Package events is the in-process parley.EventBus, used when Parley runs
// as a single instance (SQLite). Several instances on PostgreSQL use
// sqlstore/pgnotify instead, which fans events out through LISTEN/NOTIFY.
package events

import (
	"context"
	"sync"

	"github.com/parley-comments/parley"
)

// subscriberBuffer is how many events a slow subscriber may lag behind
// before it starts missing events.
const subscriberBuffer = 64

// Bus is an in-process publish/subscribe hub. The zero value is not usable;
// call New.
type Bus struct {
	mu   sync.Mutex
	subs map[chan parley.Event]struct{}
}

// New returns an empty Bus.
func New() *Bus { return &Bus{subs: make(map[chan parley.Event]struct{})} }

// Publish delivers e to every current subscriber without blocking. A
// subscriber whose buffer is full misses the event.
func (b *Bus) Publish(_ context.Context, e parley.Event) error {
	b.Deliver(e)
	return nil
}

// Deliver hands e to local subscribers. pgnotify-style buses reuse it.
func (b *Bus) Deliver(e parley.Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for ch := range b.subs {
		select {
		case ch <- e:
		default:
		}
	}
}

// Subscribe returns a channel that receives events until ctx is done, when
// the channel is closed.
func (b *Bus) Subscribe(ctx context.Context) <-chan parley.Event {
	ch := make(chan parley.Event, subscriberBuffer)
	b.mu.Lock()
	b.subs[ch] = struct{}{}
	b.mu.Unlock()
	go func() {
		<-ctx.Done()
		b.mu.Lock()
		delete(b.subs, ch)
		b.mu.Unlock()
		close(ch)
	}()
	return ch
}

var _ parley.EventBus = (*Bus)(nil)
