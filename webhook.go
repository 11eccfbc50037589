package parley

import (
	"context"
	"time"
)

// Webhook events. Every delivery carries one of these in its "event" field
// and its Parley-Event header.
const (
	HookCommentCreated  = "comment.created"
	HookCommentApproved = "comment.approved"
	HookCommentRejected = "comment.rejected" // rejected or marked as spam
	HookCommentEdited   = "comment.edited"
	HookCommentReported = "comment.reported"
	// HookCommentHidden: a published comment was taken off the public
	// thread automatically after the site's number of reports
	// (Settings.HideAfterReports); it waits for a moderator.
	HookCommentHidden  = "comment.hidden"
	HookUserSanctioned = "user.sanctioned"
	// HookTest is sent by the dashboard's "send test event" button.
	HookTest = "test"
)

// HookEvents lists the events a webhook can subscribe to, in display order.
var HookEvents = []string{HookCommentCreated, HookCommentApproved, HookCommentRejected, HookCommentEdited, HookCommentReported, HookCommentHidden, HookUserSanctioned}

// Webhook is one receiver of a site's events, configured by the site's
// admins. Audience decides what a delivery may contain: a public-facing
// hook only ever sees approved text and never an email address, an IP
// address or a moderator note; a moderator-facing hook sees what the
// moderation queue shows.
type Webhook struct {
	ID          string   `json:"id"`
	SiteID      string   `json:"site_id"`
	URL         string   `json:"url"`
	Description string   `json:"description"`
	Events      []string `json:"events"`
	// ModeratorFacing marks a hook that may receive pending and rejected
	// text, author emails and addresses (a newsroom's moderation Slack).
	ModeratorFacing bool `json:"moderator_facing"`
	Active          bool `json:"active"`
	// Secret signs deliveries (Parley-Signature). It is shown to the site's
	// admins, who configure it in the receiver.
	Secret    string    `json:"secret,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Wants reports whether the hook is active and subscribed to event. Test
// events go to every hook.
func (h *Webhook) Wants(event string) bool {
	if event == HookTest {
		return true
	}
	if !h.Active {
		return false
	}
	for _, e := range h.Events {
		if e == event {
			return true
		}
	}
	return false
}

// DeliveryStatus is the state of one webhook delivery.
type DeliveryStatus string

// Delivery states.
const (
	DeliveryPending   DeliveryStatus = "pending"   // not yet accepted by the receiver
	DeliveryDelivered DeliveryStatus = "delivered" // the receiver answered 2xx
	DeliveryFailed    DeliveryStatus = "failed"    // given up after the last retry
	DeliveryCancelled DeliveryStatus = "cancelled" // the hook was deleted or its data erased
)

// WebhookDelivery is one event for one webhook, and the delivery log's
// row for it. Its ID is the delivery ID receivers dedupe on; it stays the
// same across retries. Deliveries with the same hook and OrderKey (the
// comment, or the sanction) are delivered in Seq order.
type WebhookDelivery struct {
	ID        string         `json:"id"`
	SiteID    string         `json:"site_id"`
	WebhookID string         `json:"webhook_id"`
	Event     string         `json:"event"`
	OrderKey  string         `json:"order_key"`
	Seq       int            `json:"seq"`
	Body      []byte         `json:"-"` // the JSON document POSTed
	Status    DeliveryStatus `json:"status"`
	Attempts  int            `json:"attempts"`
	// StatusCode is the receiver's last HTTP status (0: no answer).
	StatusCode    int       `json:"status_code"`
	LastError     string    `json:"last_error,omitempty"`
	DurationMS    int64     `json:"duration_ms"`
	CreatedAt     time.Time `json:"created_at"`
	LastAttemptAt time.Time `json:"last_attempt_at,omitzero"`
	DeliveredAt   time.Time `json:"delivered_at,omitzero"`
	// Waiting marks a delivery that found an earlier one of its hook and
	// OrderKey still pending; that one's completion queues it again.
	Waiting bool `json:"waiting,omitempty"`
}

// WebhookStore keeps webhooks and their delivery log.
type WebhookStore interface {
	CreateWebhook(ctx context.Context, h *Webhook) error
	GetWebhook(ctx context.Context, id string) (*Webhook, error) // ENOTFOUND if unknown
	UpdateWebhook(ctx context.Context, h *Webhook) error         // ENOTFOUND if unknown
	DeleteWebhook(ctx context.Context, id string) error          // also cancels its pending deliveries
	ListWebhooks(ctx context.Context, siteID string) ([]*Webhook, error)

	// CreateDelivery stores a new delivery, giving it the next Seq for its
	// hook and OrderKey. Call it in the transaction of the event, after the
	// write that locks the comment, so that events of one comment get
	// their Seq in commit order.
	CreateDelivery(ctx context.Context, d *WebhookDelivery) error
	// GetDelivery returns a delivery; inside a transaction on PostgreSQL
	// its row is locked until commit.
	GetDelivery(ctx context.Context, id string) (*WebhookDelivery, error)
	// UpdateDelivery writes Status, Attempts, StatusCode, LastError,
	// DurationMS, LastAttemptAt, DeliveredAt and Waiting.
	UpdateDelivery(ctx context.Context, d *WebhookDelivery) error
	// NextDelivery returns the pending delivery that follows d (same hook
	// and OrderKey, the lowest higher Seq), locked like GetDelivery.
	// ENOTFOUND if none.
	NextDelivery(ctx context.Context, d *WebhookDelivery) (*WebhookDelivery, error)
	// EarlierPending reports whether a delivery of the same hook and
	// OrderKey with a lower Seq is still pending.
	EarlierPending(ctx context.Context, d *WebhookDelivery) (bool, error)
	// ListDeliveries returns a hook's deliveries, newest first.
	ListDeliveries(ctx context.Context, webhookID, cursor string, limit int) ([]*WebhookDelivery, string, error)
}
