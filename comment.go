package parley

import "time"

// Status is a comment's moderation state.
type Status string

// Comment statuses.
const (
	StatusPending  Status = "pending"
	StatusApproved Status = "approved"
	StatusRejected Status = "rejected"
	StatusSpam     Status = "spam"
)

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	switch s {
	case StatusPending, StatusApproved, StatusRejected, StatusSpam:
		return true
	}
	return false
}

// Reason is a policy reason for a rejection, shown to the comment's author.
type Reason string

// Policy reasons.
const (
	ReasonHateSpeech     Reason = "hate_speech"
	ReasonObscenity      Reason = "obscenity"
	ReasonPersonalAttack Reason = "personal_attack"
	ReasonSpam           Reason = "spam"
	ReasonOffTopic       Reason = "off_topic"
	ReasonOther          Reason = "other"
)

// Reasons lists every policy reason in the order moderators see them
// (digit shortcuts 1..6 in the dashboard follow this order).
var Reasons = []Reason{ReasonHateSpeech, ReasonObscenity, ReasonPersonalAttack, ReasonSpam, ReasonOffTopic, ReasonOther}

// Valid reports whether r is a known reason.
func (r Reason) Valid() bool {
	for _, x := range Reasons {
		if r == x {
			return true
		}
	}
	return false
}

// Comment is one comment on a story, threaded through ParentID.
//
// Body and HTML hold the current public revision once approved. When an
// approved comment is edited, the edit waits in PendingBody/PendingHTML and
// the comment is back in the queue (EditPending) while Body/HTML stay public.
type Comment struct {
	ID       string `json:"id"`
	SiteID   string `json:"site_id"`
	StoryID  string `json:"story_id"`
	ParentID string `json:"parent_id,omitempty"`
	Status   Status `json:"status"`

	Body string `json:"body"` // markdown source
	HTML string `json:"html"` // sanitized HTML rendered from Body

	EditPending bool   `json:"edit_pending"`
	PendingBody string `json:"pending_body,omitempty"`
	PendingHTML string `json:"pending_html,omitempty"`

	// Author: either a user (AuthorUserID) or a guest (GuestName, GuestEmail).
	AuthorUserID string `json:"author_user_id,omitempty"`
	AuthorName   string `json:"author_name"` // display name (user's name or guest name)
	GuestEmail   string `json:"guest_email,omitempty"`
	// GuestTokenHash is the sha256 of the guest token that lets a guest see
	// their own pending or rejected comments.
	GuestTokenHash string `json:"-"`
	// ClientIP is the poster's address, kept for moderators and rate rules.
	ClientIP string `json:"client_ip,omitempty"`
	// AuthorKey identifies the author for duplicate checks: "u:<user id>",
	// "e:<lowercased email>" or "ip:<address or /64>".
	AuthorKey string `json:"-"`

	// Moderation.
	Reason        Reason    `json:"reason,omitempty"` // why rejected / spam
	ModeratorNote string    `json:"moderator_note,omitempty"`
	ModeratedBy   string    `json:"moderated_by,omitempty"` // user id, or "policy"
	ModeratedAt   time.Time `json:"moderated_at,omitzero"`

	// Classifier output.
	Language        string            `json:"language,omitempty"`
	Scores          map[Label]float64 `json:"scores,omitempty"`
	Evidence        []Evidence        `json:"evidence,omitempty"`
	SuggestedReason Reason            `json:"suggested_reason,omitempty"`
	Risk            float64           `json:"risk"` // max score; the queue sorts by it

	// Spam and duplicate signals.
	NormHash      string       `json:"-"` // hash of the normalized text, for duplicate checks
	Resubmits     int          `json:"resubmits"`
	LastResubmit  time.Time    `json:"last_resubmit_at,omitzero"`
	ClusterID     string       `json:"cluster_id,omitempty"`
	SpamSignals   []SpamSignal `json:"spam_signals,omitempty"`
	ComposeMillis int64        `json:"compose_ms,omitempty"`
	// ReportCount is how many readers reported the comment.
	ReportCount int `json:"report_count"`

	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	EditedAt  time.Time `json:"edited_at,omitzero"`
	// Version increases on every update; UpdateComment uses it for
	// optimistic concurrency.
	Version int `json:"version"`
}

// IsGuest reports whether the comment was posted by a guest.
func (c *Comment) IsGuest() bool { return c.AuthorUserID == "" }

// SpamSignal explains one reason a comment looks like spam.
type SpamSignal struct {
	Kind   string `json:"kind"`   // duplicate, cluster, honeypot, too_fast, rate, links, spam_score, blocked_domain
	Detail string `json:"detail"` // human-readable, for moderators
}

// Revision is one stored version of a comment's text.
type Revision struct {
	ID        string    `json:"id"`
	CommentID string    `json:"comment_id"`
	Body      string    `json:"body"`
	HTML      string    `json:"html"`
	CreatedAt time.Time `json:"created_at"`
}

// AuditEntry is one row of the append-only moderation audit log.
type AuditEntry struct {
	ID        string            `json:"id"`
	SiteID    string            `json:"site_id"`
	CommentID string            `json:"comment_id"`
	ActorID   string            `json:"actor_id"`   // user id, or "policy" for automatic actions
	ActorName string            `json:"actor_name"` // for display
	Action    string            `json:"action"`     // approve, reject, spam, auto_reject, edit, sanction...
	From      Status            `json:"from"`
	To        Status            `json:"to"`
	Reason    Reason            `json:"reason,omitempty"`
	Note      string            `json:"note,omitempty"`
	Scores    map[Label]float64 `json:"scores,omitempty"` // classifier scores at the time
	CreatedAt time.Time         `json:"created_at"`
}

// ActorPolicy is the ActorID of actions taken automatically by site policy.
const ActorPolicy = "policy"

// Report is one reader's report of a published comment.
type Report struct {
	ID          string    `json:"id"`
	SiteID      string    `json:"site_id"`
	CommentID   string    `json:"comment_id"`
	ReporterKey string    `json:"-"` // who reported: "u:…", "g:<guest token hash>" or "ip:…"; one report each
	Reason      Reason    `json:"reason"`
	Note        string    `json:"note,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
	// Resolution is ReportOpen until a moderator decides on the comment or
	// on the reporter; ResolvedBy is that moderator's user ID.
	Resolution ReportResolution `json:"resolution,omitempty"`
	ResolvedBy string           `json:"-"`
	ResolvedAt time.Time        `json:"resolved_at,omitzero"`
}
