package parley

import (
	"context"
	"time"
)

// Store is persistence for the service layer. It only moves rows: every
// policy decision (permissions, state transitions, edit windows) lives in
// package service. Both SQLite and PostgreSQL implement it (package
// sqlstore), and one conformance suite (sqlstore/storetest) checks both.
//
// Methods return *Error values with ENOTFOUND when a row is missing and
// ECONFLICT on a unique-key clash or a lost optimistic-concurrency race.
// Any other error is internal.
type Store interface {
	// InTx runs fn inside one transaction and commits if fn returns nil.
	// The Store passed to fn uses the transaction; calling InTx on it runs
	// fn in the same transaction. Transient failures (SQLite busy,
	// PostgreSQL serialization failure) are retried, so fn may run more
	// than once and must not have side effects outside the Store.
	InTx(ctx context.Context, fn func(tx Store) error) error

	SessionStore
	ViewerCommentStore // overlay.go
	IdentityStore
	StoryStore
	TransferStore // imports and exports (transfer.go)
	WebhookStore  // webhook.go
	NameStore
	OutboxStore    // durable outgoing email and webhooks (outbox.go)
	AuthLinkStore  // email sign-in, invite and reset links (authlink.go)
	PrivacyStore   // privacy.go
	NotifyStore    // notify.go
	ImportJobStore // dashboard import jobs (importjob.go)

	// Sites.
	CreateSite(ctx context.Context, s *Site) error // ECONFLICT if the ID exists
	GetSite(ctx context.Context, id string) (*Site, error)
	UpdateSite(ctx context.Context, s *Site) error
	ListSites(ctx context.Context) ([]*Site, error)

	// Users, roles and credentials.
	CreateUser(ctx context.Context, u *User) error // ECONFLICT if the email exists (case-insensitive)
	GetUser(ctx context.Context, id string) (*User, error)
	GetUserByEmail(ctx context.Context, email string) (*User, error) // case-insensitive
	UpdateUser(ctx context.Context, u *User) error
	// ReplacePasswordHash sets the hash only if it is still oldHash (one
	// statement; sessions untouched). ECONFLICT otherwise.
	ReplacePasswordHash(ctx context.Context, userID, oldHash, newHash string) error
	SetRole(ctx context.Context, m Membership) error // insert or replace
	DeleteRole(ctx context.Context, siteID, userID string) error
	GetRole(ctx context.Context, siteID, userID string) (Role, error) // ENOTFOUND if none
	ListMemberships(ctx context.Context, userID string) ([]Membership, error)
	ListSiteMembers(ctx context.Context, siteID string) ([]Membership, error)
	CreateToken(ctx context.Context, t *Token) error
	GetTokenBySecretHash(ctx context.Context, hash string) (*Token, error)
	TouchToken(ctx context.Context, id string, at time.Time) error
	CreateSession(ctx context.Context, s *Session) error
	GetSession(ctx context.Context, idHash string) (*Session, error) // expired ones too: expiry is the service's policy
	DeleteSession(ctx context.Context, idHash string) error

	// Stories.
	CreateStory(ctx context.Context, s *Story) error // ECONFLICT if (site, url) exists
	GetStory(ctx context.Context, id string) (*Story, error)
	GetStoryByURL(ctx context.Context, siteID, url string) (*Story, error)
	UpdateStory(ctx context.Context, s *Story) error // also replaces AuthorIDs
	ListStories(ctx context.Context, siteID string, cursor string, limit int) ([]*Story, string, error)

	// Comments.
	CreateComment(ctx context.Context, c *Comment) error
	GetComment(ctx context.Context, id string) (*Comment, error)
	// UpdateComment writes every mutable field of c if the stored version
	// equals c.Version, then increments c.Version. ECONFLICT if another
	// writer got there first, ENOTFOUND if the comment does not exist.
	UpdateComment(ctx context.Context, c *Comment) error
	// ListThread returns a story's approved comments plus, when the viewer
	// is given, the viewer's own comments in any status.
	ListThread(ctx context.Context, q ThreadQuery) ([]*Comment, string, error)
	// CountApproved returns the number of approved comments on a story.
	CountApproved(ctx context.Context, storyID string) (int, error)
	// ListQueue returns comments for moderators, filtered and sorted.
	ListQueue(ctx context.Context, f QueueFilter) ([]*Comment, string, error)
	// CountQueue returns a site's comment counts by status. Approved comments
	// with a pending edit count as pending too. The CountReported key counts
	// approved comments that readers reported.
	CountQueue(ctx context.Context, siteID string) (map[Status]int, error)
	// AuthorHistory returns counts by status of a site's comments by an author key.
	AuthorHistory(ctx context.Context, siteID, authorKey string) (map[Status]int, error)
	// FindDuplicate returns the newest comment on the site by authorKey with
	// the given normalized-text hash created at or after since.
	FindDuplicate(ctx context.Context, siteID, authorKey, normHash string, since time.Time) (*Comment, error)
	// ScanComments returns comments of every site created at or after since,
	// in ID order after afterID, for index warm-up and database copies.
	ScanComments(ctx context.Context, since time.Time, afterID string, limit int) ([]*Comment, error)
	AddRevision(ctx context.Context, r *Revision) error
	ListRevisions(ctx context.Context, commentID string) ([]*Revision, error)

	// Idempotency keys: scope is the site plus the author key.
	PutIdempotencyKey(ctx context.Context, scope, key, commentID string, at time.Time) error // ECONFLICT if present
	GetIdempotencyKey(ctx context.Context, scope, key string) (string, error)                // the comment ID

	// The moderation audit log, append-only.
	AppendAudit(ctx context.Context, e *AuditEntry) error
	ListAudit(ctx context.Context, f AuditFilter) ([]*AuditEntry, string, error)

	// Sanctions on authors, per site.
	CreateSanction(ctx context.Context, s *Sanction) error
	DeleteSanction(ctx context.Context, siteID, id string) error
	// ListSanctions returns a site's sanctions; authorKey "" lists all.
	ListSanctions(ctx context.Context, siteID, authorKey string) ([]*Sanction, error)

	// Reader reports.
	CreateReport(ctx context.Context, r *Report) error // ECONFLICT if this reporter already reported the comment
	ListReports(ctx context.Context, commentID string) ([]*Report, error)
	ReportReviewStore

	// Per-site classifier adapters (see SiteAdapter). GetSiteAdapter locks
	// the row inside a transaction on PostgreSQL. ENOTFOUND if none.
	GetSiteAdapter(ctx context.Context, siteID string) ([]byte, error)
	PutSiteAdapter(ctx context.Context, siteID string, state []byte, at time.Time) error
	DeleteSiteAdapter(ctx context.Context, siteID string) error

	// Purge deletes what is no longer needed: sessions, SSO token IDs and OIDC flows that expired before
	// now, idempotency keys created before keysBefore, and rate buckets not
	// touched since bucketsBefore. It returns how many rows it deleted.
	Purge(ctx context.Context, now, keysBefore, bucketsBefore time.Time) (int, error)

	RateBucketStore // ratebucket.go
}

// ThreadQuery selects a page of a story's public thread.
type ThreadQuery struct {
	StoryID string
	Newest  bool   // newest first; default oldest first
	Cursor  string // opaque; "" for the first page
	Limit   int
	// The viewer's own non-approved comments are included when either is set.
	ViewerUserID         string
	ViewerGuestTokenHash string
}

// CountReported is the key in CountQueue's result for comments with open
// reader reports, approved or hidden after reports (pending). It is a
// queue, not a comment status.
const CountReported Status = "reported"

// QueueSort orders the moderation queue.
type QueueSort string

// Queue orders.
const (
	SortRisk   QueueSort = "risk" // riskiest first, then oldest
	SortOldest QueueSort = "oldest"
	SortNewest QueueSort = "newest"
)

// QueueFilter selects comments for moderators.
type QueueFilter struct {
	SiteID string
	// Status "" or pending: pending comments and approved ones with an edit pending.
	Status    Status
	StoryID   string
	Language  string
	Label     Label   // only comments whose score for Label >= MinScore
	MinScore  float64 // default 0.5 when Label is set
	AuthorKey string
	ClusterID string
	Reported  bool      // only comments readers have reported; with Status "": approved or pending (hidden after reports)
	Sort      QueueSort // default oldest
	Cursor    string
	Limit     int
}

// AuditFilter selects audit log entries, newest first.
type AuditFilter struct {
	SiteID    string
	CommentID string
	ActorID   string
	Action    string
	Query     string // substring of note, reason or comment id
	Since     time.Time
	Until     time.Time
	Cursor    string
	Limit     int
}

// SanctionKind is what a sanction does.
type SanctionKind string

// Sanction kinds.
const (
	SanctionTrusted SanctionKind = "trusted" // may skip pre-moderation under post-moderation
	SanctionPremod  SanctionKind = "premod"  // always pre-moderated
	SanctionSuspend SanctionKind = "suspend" // may not comment until Until
	SanctionBan     SanctionKind = "ban"     // may not comment
)

// Sanction applies to one author (AuthorKey) on one site. A blocked email
// domain is a site setting (Settings.BlockedDomains).
type Sanction struct {
	ID        string       `json:"id"`
	SiteID    string       `json:"site_id"`
	AuthorKey string       `json:"author_key"`
	Kind      SanctionKind `json:"kind"`
	Reason    string       `json:"reason"` // shown to the author
	Until     time.Time    `json:"until,omitzero"`
	CreatedBy string       `json:"created_by"`
	CreatedAt time.Time    `json:"created_at"`
}
