package parley

import (
	"context"
	"time"
)

// Reader notifications: mails to commenters about replies and decisions.

// NotifyMode is how a reader gets reply notifications on a site.
type NotifyMode string

// Notification modes.
const (
	NotifyImmediate NotifyMode = "immediate" // one mail per approved reply (the default)
	NotifyDigest    NotifyMode = "digest"    // one mail a day with the day's approved replies
	NotifyOff       NotifyMode = "off"       // unsubscribed
)

// Valid reports whether m is a known mode.
func (m NotifyMode) Valid() bool { return m == NotifyImmediate || m == NotifyDigest || m == NotifyOff }

// NotifyReader is one reader's notification settings on one site, keyed
// by their lower-cased email. Token is the secret in their mails'
// unsubscribe and settings links (which work without signing in); mails
// go out only once ConfirmedAt is set: a guest confirms their address
// once through a mailed link, an account's address is confirmed by the
// sign-in that proved it.
type NotifyReader struct {
	SiteID      string     `json:"site_id"`
	Email       string     `json:"email"`
	Token       string     `json:"-"`
	Mode        NotifyMode `json:"mode"`
	Locale      string     `json:"locale,omitempty"`
	ConfirmedAt time.Time  `json:"confirmed_at,omitzero"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
}

// NotifyStore keeps readers' notification settings, their muted threads
// and their pending digest items.
type NotifyStore interface {
	// PutNotifyReader inserts r, or does nothing if (site, email) exists.
	// It returns the stored row either way.
	PutNotifyReader(ctx context.Context, r *NotifyReader) (*NotifyReader, error)
	GetNotifyReader(ctx context.Context, siteID, email string) (*NotifyReader, error) // ENOTFOUND if none
	GetNotifyReaderByToken(ctx context.Context, token string) (*NotifyReader, error)  // ENOTFOUND if none
	UpdateNotifyReader(ctx context.Context, r *NotifyReader) error                    // Mode, Locale, ConfirmedAt, UpdatedAt
	// Mutes are per story (a story's discussion is one thread).
	MuteThread(ctx context.Context, siteID, email, storyID string, at time.Time) error
	UnmuteThread(ctx context.Context, siteID, email, storyID string) error
	IsMuted(ctx context.Context, siteID, email, storyID string) (bool, error)
	// AddDigestItem queues an approved reply for a digest reader.
	AddDigestItem(ctx context.Context, siteID, email, commentID string, at time.Time) error
	// TakeDigestItems removes and returns up to limit queued comment IDs
	// of one reader, oldest first, and the readers with items left.
	TakeDigestItems(ctx context.Context, siteID, email string, limit int) ([]string, error)
	// DigestReaders lists (site, email) pairs with items queued before
	// before.
	DigestReaders(ctx context.Context, before time.Time) ([][2]string, error)
}
