package parley

import (
	"context"
	"time"
)

// Outbox message kinds. A worker in package service sends each kind with
// the sender registered for it.
const (
	OutboxEmail   = "email"
	OutboxWebhook = "webhook"
)

// OutboxStatus is where an outbox message is in its life.
type OutboxStatus string

// Outbox statuses.
const (
	OutboxPending OutboxStatus = "pending" // waiting to be sent, or being sent under a lease
	OutboxSent    OutboxStatus = "sent"    // delivered; kept for a while, then purged
	OutboxParked  OutboxStatus = "parked"  // failed too often; waits for an admin to retry it
)

// OutboxMessage is one message (an email, a webhook call) that must leave
// Parley. It is written in the same transaction as the event that causes it,
// so the event and its message are durable together, and a worker sends it
// afterwards, retrying with backoff until it is sent or parked.
type OutboxMessage struct {
	ID     string `json:"id"`
	SiteID string `json:"site_id"` // "" for messages that belong to no site
	Kind   string `json:"kind"`    // OutboxEmail, OutboxWebhook
	// DedupeKey is unique: enqueueing a message whose key exists already
	// does nothing. "" means the message has no natural key (the ID is used).
	DedupeKey string       `json:"dedupe_key"`
	Payload   []byte       `json:"-"` // JSON, interpreted by the kind's sender
	Status    OutboxStatus `json:"status"`
	// Attempts counts claims: a worker that crashes mid-send still uses one.
	Attempts      int       `json:"attempts"`
	NextAttemptAt time.Time `json:"next_attempt_at"`
	LastError     string    `json:"last_error,omitempty"`
	CreatedAt     time.Time `json:"created_at"`
	SentAt        time.Time `json:"sent_at,omitzero"`
	// UpdatedAt is when the status, attempts or error last changed (the
	// parking time for a parked message).
	UpdatedAt time.Time `json:"updated_at"`
	// ClaimedBy and LeaseUntil are set while a worker holds the message.
	ClaimedBy  string    `json:"-"`
	LeaseUntil time.Time `json:"-"`
}

// OutboxFilter selects outbox messages, newest first.
type OutboxFilter struct {
	SiteID string // "" for every site
	Kind   string
	Status OutboxStatus
	Cursor string
	Limit  int
}

// OutboxStore keeps the outbox. Claims are safe with several workers on one
// database: on PostgreSQL they lock rows with FOR UPDATE SKIP LOCKED, on
// SQLite the write lock serializes them. A claim holds a message for a
// lease; a message whose lease ran out (its worker died) is claimed again.
type OutboxStore interface {
	// EnqueueOutbox stores m as pending. Call it inside Store.InTx with the
	// change that causes the message. If a message with m.DedupeKey exists,
	// nothing is written and nil is returned. EINVALID if Payload is not JSON.
	EnqueueOutbox(ctx context.Context, m *OutboxMessage) error
	// ClaimOutbox leases up to limit pending messages of kind that are due
	// at now and not leased, to owner until now+lease, and counts an attempt
	// on each. It returns them oldest due first.
	ClaimOutbox(ctx context.Context, kind, owner string, now time.Time, lease time.Duration, limit int) ([]*OutboxMessage, error)
	// CompleteOutbox marks a pending message sent. ENOTFOUND if it is not pending.
	CompleteOutbox(ctx context.Context, id string, at time.Time) error
	// RetryOutbox releases a pending message's lease and makes it due again
	// at next, recording lastErr. ENOTFOUND if it is not pending.
	RetryOutbox(ctx context.Context, id, lastErr string, next time.Time) error
	// ParkOutbox stops retrying a pending message. ENOTFOUND if it is not pending.
	ParkOutbox(ctx context.Context, id, lastErr string, at time.Time) error
	// RequeueOutbox makes a parked message pending again, due at, with its
	// attempts reset. ENOTFOUND if it is not parked.
	RequeueOutbox(ctx context.Context, id string, at time.Time) error
	// GetOutbox returns one message. ENOTFOUND if none.
	GetOutbox(ctx context.Context, id string) (*OutboxMessage, error)
	// ListOutbox returns a page of messages, newest first, and the cursor of
	// the next page ("" at the end).
	ListOutbox(ctx context.Context, f OutboxFilter) ([]*OutboxMessage, string, error)
	// PurgeOutbox deletes messages sent before sentBefore and returns how many.
	PurgeOutbox(ctx context.Context, sentBefore time.Time) (int, error)
}

// Email is the payload of an OutboxEmail message: one rendered email to one
// recipient. Package service validates it on enqueue; the mail sender turns
// it into a MIME message (headers built with net/mail and mime).
type Email struct {
	To     string `json:"to"`                // a bare address
	ToName string `json:"to_name,omitempty"` // display name; any text, encoded safely
	Locale string `json:"locale,omitempty"`  // the language it was rendered in
	// Subject and Text are required; HTML, when set, was rendered with
	// html/template and sanitized before it was queued.
	Subject string `json:"subject"`
	Text    string `json:"text"`
	HTML    string `json:"html,omitempty"`
	// ListUnsubscribe, when set, is an https URL sent as List-Unsubscribe
	// with List-Unsubscribe-Post (RFC 8058).
	ListUnsubscribe string `json:"list_unsubscribe,omitempty"`
}
