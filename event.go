package parley

import (
	"context"
	"time"
)

// Event types published on the EventBus.
const (
	EventCommentCreated = "comment.created"
	EventCommentUpdated = "comment.updated" // status change or edit
	EventStoryUpdated   = "story.updated"   // a story's settings changed
	EventSiteUpdated    = "site.updated"    // a site's settings changed (StoryID is empty)
)

// Event tells other parts of Parley (live streams, caches, the duplicate
// index, other instances) that something changed. It carries IDs only,
// never comment text, so nothing private can leak through it.
type Event struct {
	Type      string    `json:"type"`
	SiteID    string    `json:"site_id"`
	StoryID   string    `json:"story_id"`
	CommentID string    `json:"comment_id"`
	Status    Status    `json:"status"`
	At        time.Time `json:"at"`
}

// EventBus fans events out to subscribers, in this process and, with the
// PostgreSQL implementation, in every instance sharing the database.
type EventBus interface {
	Publish(ctx context.Context, e Event) error
	// Subscribe returns a channel of events until ctx is done. Slow
	// subscribers may miss events; they must treat events as hints.
	Subscribe(ctx context.Context) <-chan Event
}
