package parley

import "time"

// ModerationMode says when a comment becomes public.
type ModerationMode string

// Moderation modes.
const (
	// ModePre holds every comment until a moderator approves it. The default.
	ModePre ModerationMode = "pre"
	// ModePost publishes comments by trusted authors at once; everyone else
	// is still pre-moderated.
	ModePost ModerationMode = "post"
)

// Valid reports whether m is a known mode.
func (m ModerationMode) Valid() bool { return m == ModePre || m == ModePost }

// Site is a tenant: one news site with its own origin, policy, moderators
// and comments.
type Site struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Origins   []string  `json:"origins"` // allowed CORS origins, e.g. https://news.example
	Settings  Settings  `json:"settings"`
	CreatedAt time.Time `json:"created_at"`
}

// Settings is a site's moderation policy and widget configuration. It is
// stored as one JSON document so that new settings need no migration.
// Zero values mean "use the default"; call WithDefaults before reading.
type Settings struct {
	Mode             ModerationMode    `json:"mode,omitempty"`              // default pre
	GuestsDisallowed bool              `json:"guests_disallowed,omitempty"` // default: guests may post
	PolicyText       map[string]string `json:"policy_text,omitempty"`       // locale -> text shown above the form
	Locale           string            `json:"locale,omitempty"`            // default widget locale
	EditWindow       Duration          `json:"edit_window,omitempty"`       // default 15m
	MaxLinks         int               `json:"max_links,omitempty"`         // default 3
	AutoReject       map[Label]float64 `json:"auto_reject,omitempty"`       // label -> threshold; empty = off
	// AutoApproveTrusted, when above 0, approves at once comments by
	// trusted authors whose highest score (risk) is below it, whatever the
	// moderation mode. Off (0) by default.
	AutoApproveTrusted float64           `json:"auto_approve_trusted,omitempty"`
	DuplicateWindow    Duration          `json:"duplicate_window,omitempty"` // default 24h
	ClusterWindow      Duration          `json:"cluster_window,omitempty"`   // default 7d
	BlockedDomains     []string          `json:"blocked_domains,omitempty"`  // guest email domains refused
	Extra              map[string]string `json:"extra,omitempty"`            // room for small future settings

	// HideAfterReports, when above 0, takes an approved comment off the
	// public thread (back to pending) once that many readers reported it.
	// 0, the default: reported comments stay public until a moderator acts.
	HideAfterReports int `json:"hide_after_reports,omitempty"`

	// ErasureDeletes, when set, deletes an erased commenter's published
	// comments instead of keeping them as "[deleted]" (comments others
	// replied to are kept either way, so that threads still read).
	ErasureDeletes bool `json:"erasure_deletes,omitempty"`

	// Mails (docs/notifications.md). NotifyAuthorApproved and
	// NotifyAuthorRejected tell commenters when a moderator approved their
	// comment or did not publish it (with the reason); both off by default.
	NotifyAuthorApproved bool `json:"notify_author_approved,omitempty"`
	NotifyAuthorRejected bool `json:"notify_author_rejected,omitempty"`
	// AlertPendingOver and AlertOldestMinutes mail the moderators when the
	// pending queue has more items, or its oldest item is older; 0 is off.
	// At most one alert per AlertEvery (default 1h).
	AlertPendingOver   int      `json:"alert_pending_over,omitempty"`
	AlertOldestMinutes int      `json:"alert_oldest_minutes,omitempty"`
	AlertEvery         Duration `json:"alert_every,omitempty"`
	// DailySummary mails the moderators a summary of the previous day.
	DailySummary bool `json:"daily_summary,omitempty"`
}

// Defaults for Settings.
const (
	DefaultEditWindow      = 15 * time.Minute
	DefaultMaxLinks        = 3
	DefaultDuplicateWindow = 24 * time.Hour
	DefaultClusterWindow   = 7 * 24 * time.Hour
)

// WithDefaults returns s with every zero value replaced by its default.
func (s Settings) WithDefaults() Settings {
	if s.Mode == "" {
		s.Mode = ModePre
	}
	if s.Locale == "" {
		s.Locale = "en"
	}
	if s.EditWindow == 0 {
		s.EditWindow = Duration(DefaultEditWindow)
	}
	if s.MaxLinks == 0 {
		s.MaxLinks = DefaultMaxLinks
	}
	if s.DuplicateWindow == 0 {
		s.DuplicateWindow = Duration(DefaultDuplicateWindow)
	}
	if s.ClusterWindow == 0 {
		s.ClusterWindow = Duration(DefaultClusterWindow)
	}
	return s
}

// Duration is a time.Duration that marshals to JSON as a string like "15m0s".
type Duration time.Duration

// MarshalText implements encoding.TextMarshaler.
func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

// Std returns d as a time.Duration.
func (d Duration) Std() time.Duration { return time.Duration(d) }

// Story is an article page. It is created the first time someone comments on
// its URL.
type Story struct {
	ID     string `json:"id"`
	SiteID string `json:"site_id"`
	URL    string `json:"url"`
	Title  string `json:"title"`
	Closed bool   `json:"closed"`
	// Locked is set when staff have confirmed the title and URL. Until
	// then the title is a reader's suggestion: it is not public before a
	// comment on the story is approved.
	Locked    bool           `json:"locked"`
	Mode      ModerationMode `json:"mode,omitempty"` // "" = the site's mode
	AuthorIDs []string       `json:"author_ids"`     // users who get the author badge
	CreatedAt time.Time      `json:"created_at"`

	// Locale is the widget's language on this story ("" = the site's
	// Settings.Locale), for sites that publish in several languages.
	Locale string `json:"locale,omitempty"`
}
