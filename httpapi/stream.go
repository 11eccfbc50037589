package httpapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/parley-comments/parley"
)

// heartbeat keeps idle event streams open through proxies.
const heartbeat = 25 * time.Second

// handlePublicStream streams a story's public changes to readers as
// server-sent events: only comments that became approved, by ID. A reader
// refetches the thread on each event. Nothing about pending, rejected or
// spam comments is ever sent here.
func (s *Server) handlePublicStream(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	site, err := s.svc.Site(r.Context(), q.Get("site"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	storyURL := q.Get("story_url")
	// storyID returns the story's ID, looking it up until it exists (the
	// first comment creates it).
	var storyID string
	lookup := func() error {
		st, err := s.svc.StoryByURL(r.Context(), site.ID, storyURL)
		switch {
		case err == nil:
			storyID = st.ID
		case !parley.IsCode(err, parley.ENOTFOUND):
			return err
		}
		return nil
	}
	if err := lookup(); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.stream(w, r, func(e parley.Event) (any, bool) {
		if e.SiteID != site.ID || e.Status != parley.StatusApproved || (e.Type != parley.EventCommentCreated && e.Type != parley.EventCommentUpdated) {
			return nil, false
		}
		if storyID == "" {
			// The story did not exist when the stream opened.
			_ = lookup()
		}
		if e.StoryID != storyID {
			return nil, false
		}
		return map[string]any{"type": "comment.approved", "comment_id": e.CommentID, "at": e.At}, true
	})
}

// handleModStream streams a site's moderation events to its moderators.
func (s *Server) handleModStream(w http.ResponseWriter, r *http.Request) {
	u, err := s.user(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	siteID := r.URL.Query().Get("site")
	if _, _, err := s.svc.ModeratorSite(r.Context(), u, siteID); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.stream(w, r, func(e parley.Event) (any, bool) {
		if e.SiteID != siteID {
			return nil, false
		}
		return e, true
	})
}

// stream writes server-sent events from the bus through filter until the
// client goes away.
func (s *Server) stream(w http.ResponseWriter, r *http.Request, filter func(parley.Event) (any, bool)) {
	if s.bus == nil {
		s.writeError(w, r, parley.Errorf(parley.EUNAVAILABLE, "Live updates are not enabled."))
		return
	}
	rc := http.NewResponseController(w)
	ctx := r.Context()
	events := s.bus.Subscribe(ctx)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	_, _ = fmt.Fprint(w, ": connected\n\n")
	_ = rc.Flush()
	tick := time.NewTicker(heartbeat)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if _, err := fmt.Fprint(w, ": ping\n\n"); err != nil {
				return
			}
			_ = rc.Flush()
		case e, ok := <-events:
			if !ok {
				return
			}
			v, send := filter(e)
			if !send {
				continue
			}
			b, _ := json.Marshal(v)
			if _, err := fmt.Fprintf(w, "event: %s\ndata: %s\n\n", e.Type, b); err != nil {
				return
			}
			_ = rc.Flush()
		}
	}
}
