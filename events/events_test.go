package events

import (
	"context"
	"testing"

	"github.com/parley-comments/parley"
)

func TestBusDeliversToEverySubscriberAndClosesOnCancel(t *testing.T) {
	t.Parallel()
	b := New()
	ctx1, cancel1 := context.WithCancel(context.Background())
	ctx2, cancel2 := context.WithCancel(context.Background())
	defer cancel2()
	s1, s2 := b.Subscribe(ctx1), b.Subscribe(ctx2)
	want := parley.Event{Type: parley.EventCommentCreated, CommentID: "c1"}
	if err := b.Publish(context.Background(), want); err != nil {
		t.Fatal(err)
	}
	for i, s := range []<-chan parley.Event{s1, s2} {
		if got := <-s; got != want {
			t.Fatalf("subscriber %d got %+v, want %+v", i, got, want)
		}
	}
	cancel1()
	if _, ok := <-s1; ok {
		t.Fatal("channel still open after cancel")
	}
	// The cancelled subscriber is gone; publishing must not block or panic.
	if err := b.Publish(context.Background(), want); err != nil {
		t.Fatal(err)
	}
	if got := <-s2; got.CommentID != "c1" {
		t.Fatalf("got %+v", got)
	}
}

func TestSlowSubscriberDoesNotBlockPublisher(t *testing.T) {
	t.Parallel()
	b := New()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := b.Subscribe(ctx)
	for i := 0; i < subscriberBuffer*3; i++ {
		_ = b.Publish(ctx, parley.Event{Type: parley.EventCommentUpdated})
	}
	if n := len(s); n != subscriberBuffer {
		t.Fatalf("buffered %d events, want %d", n, subscriberBuffer)
	}
}
