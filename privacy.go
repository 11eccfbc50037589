package parley

import (
	"context"
	"time"
)

// Data subject requests (GDPR articles 15, 17 and 20).

// PrivacyKind is what a commenter asks for.
type PrivacyKind string

// Privacy request kinds.
const (
	PrivacyExport PrivacyKind = "export" // a copy of their data (articles 15 and 20)
	PrivacyErase  PrivacyKind = "erase"  // erasure (article 17)
)

// PrivacyRequest is a commenter's request, confirmed by following a link
// mailed to the address. Only the SHA-256 of the link's token is stored.
type PrivacyRequest struct {
	ID        string
	Kind      PrivacyKind
	SiteID    string // the site the request was made on (for the mail's language and links)
	Email     string // lower-cased
	TokenHash string
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    time.Time // erasure links work once
}

// ErasedText replaces the text and name of a comment kept so that its
// thread still reads.
const ErasedText = "[deleted]"

// Erasure says whose data to erase, and where.
type Erasure struct {
	// SiteID limits the erasure to one site's comments ("" = every site).
	SiteID string
	// The subject: comments whose guest email is Email (lower-cased) or
	// whose author is the account UserID. Either may be empty.
	Email  string
	UserID string
	// DeleteAccount also removes the account UserID with its sessions,
	// tokens and roles.
	DeleteAccount bool
	// KeepPlaceholders keeps every published comment as "[deleted]";
	// otherwise only comments that others replied to are kept that way
	// and the rest are deleted. Pending, rejected and spam comments
	// without replies are always deleted.
	KeepPlaceholders bool
	At               time.Time
	// Then, if set, runs inside the erasure's transaction with its result
	// (to write the audit entry that records it).
	Then func(ctx context.Context, tx Store, res ErasureResult) error
}

// ErasureResult counts what an erasure did.
type ErasureResult struct {
	Deleted     int      // comments deleted
	Placeholder int      // comments kept as "[deleted]"
	Sites       []string // the sites whose comments were touched
	Account     bool     // the account was removed
}

// PrivacyStore keeps data subject requests and carries out erasures and
// the retention of addresses.
type PrivacyStore interface {
	CreatePrivacyRequest(ctx context.Context, r *PrivacyRequest) error
	// GetPrivacyRequest finds a request by its token hash. ENOTFOUND if
	// unknown (expiry is the caller's to check).
	GetPrivacyRequest(ctx context.Context, tokenHash string) (*PrivacyRequest, error)
	// UsePrivacyRequest marks a request used. ECONFLICT if it already was.
	UsePrivacyRequest(ctx context.Context, id string, at time.Time) error

	// SubjectComments returns a page of the comments (every state) whose
	// guest email is email or whose author is userID, on siteID ("" =
	// every site), in ID order after afterID.
	SubjectComments(ctx context.Context, siteID, email, userID, afterID string, limit int) ([]*Comment, error)
	// SubjectReports returns the reports made under the given reporter keys.
	SubjectReports(ctx context.Context, reporterKeys []string) ([]*Report, error)

	// Erase removes a subject's personal data in one transaction (see
	// Erasure and docs/privacy.md): comments deleted or kept as
	// "[deleted]" with no name, email, address or revision left; their
	// reports, sanctions, idempotency keys, rate buckets, webhook
	// deliveries and notification settings; their name, email and keys in
	// the audit log; and, with DeleteAccount, the account.
	Erase(ctx context.Context, e Erasure) (ErasureResult, error)

	// DropOldAddresses forgets the client address of comments created
	// before before (and the address-based author key of guests who gave
	// no email), and of reports made before it, and deletes finished
	// webhook deliveries older than that. It returns how many rows changed.
	DropOldAddresses(ctx context.Context, before time.Time) (int, error)
}
