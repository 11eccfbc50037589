package httpapi

import (
	"bytes"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/service"
)

// publicAuthor is all the public ever learns about an author.
type publicAuthor struct {
	Name  string  `json:"name"`
	Badge *string `json:"badge"`
}

// publicComment is a comment as the public API shows it. It never carries
// an email, an address or a hash of either. Status and Reason are set only
// on the requester's own comments that are not approved.
type publicComment struct {
	ID          string       `json:"id"`
	ParentID    *string      `json:"parent_id"`
	Author      publicAuthor `json:"author"`
	HTML        string       `json:"html"`
	CreatedAt   time.Time    `json:"created_at"`
	EditedAt    *time.Time   `json:"edited_at,omitempty"`
	Status      string       `json:"status,omitempty"`
	Reason      string       `json:"reason,omitempty"`
	EditPending bool         `json:"edit_pending,omitempty"`
	Own         bool         `json:"own,omitempty"`
}

// toPublic converts a comment for the public API. Only approved comments
// and the viewer's own are ever passed in.
func toPublic(c *parley.Comment, badges map[string]string, own bool) publicComment {
	p := publicComment{ID: c.ID, Author: publicAuthor{Name: c.AuthorName}, CreatedAt: c.CreatedAt, Own: own}
	if c.ParentID != "" {
		pid := c.ParentID
		p.ParentID = &pid
	}
	if b, ok := badges[c.AuthorUserID]; ok && c.AuthorUserID != "" {
		p.Author.Badge = &b
	}
	switch {
	case c.Status == parley.StatusApproved:
		p.HTML = c.HTML
		if !c.EditedAt.IsZero() && !c.EditPending {
			t := c.EditedAt
			p.EditedAt = &t
		}
		if own {
			p.EditPending = c.EditPending
		}
	case own:
		p.HTML = c.HTML
		p.Status = string(c.Status)
		if c.Status == parley.StatusRejected || c.Status == parley.StatusSpam {
			p.Reason = string(c.Reason)
		}
	}
	return p
}

type siteInfo struct {
	ID                string            `json:"id"`
	Name              string            `json:"name"`
	PolicyText        string            `json:"policy_text"`
	PolicyTexts       map[string]string `json:"policy_texts,omitempty"`
	Locale            string            `json:"locale"`
	GuestsAllowed     bool              `json:"guests_allowed"`
	EditWindowSeconds int               `json:"edit_window_seconds"`
}

func publicSite(site *parley.Site, locale string) siteInfo {
	st := site.Settings.WithDefaults()
	text := st.PolicyText[locale]
	if text == "" {
		text = st.PolicyText[st.Locale]
	}
	// Locale is the site's configured locale only, so that an unset one
	// lets the widget follow the page's <html lang>.
	return siteInfo{ID: site.ID, Name: site.Name, PolicyText: text, PolicyTexts: st.PolicyText, Locale: site.Settings.Locale,
		GuestsAllowed: !st.GuestsDisallowed, EditWindowSeconds: int(st.EditWindow.Std().Seconds())}
}

func (s *Server) handleListComments(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	a, err := s.author(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	limit, err := queryInt(r, "limit", 100, 500)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if q.Get("site") == "" || q.Get("story_url") == "" {
		s.writeError(w, r, parley.Errorf(parley.EINVALID, "site and story_url are required."))
		return
	}
	sort := q.Get("sort")
	if sort != "" && sort != "oldest" && sort != "newest" {
		s.writeError(w, r, parley.Errorf(parley.EINVALID, "sort is oldest or newest."))
		return
	}
	// Everyone sees the same public page, so it is cached until something
	// on the story changes; a signed-in reader (an account or a guest
	// token) gets it with their own comments merged in.
	in := service.ThreadInput{SiteID: q.Get("site"), StoryURL: q.Get("story_url"), Newest: sort == "newest", Cursor: q.Get("cursor"), Limit: limit}
	key := strings.Join([]string{in.SiteID, in.StoryURL, sort, in.Cursor, strconv.Itoa(limit), q.Get("locale")}, "\x00")
	page, hit := s.cache.get(key)
	if !hit {
		if page, err = s.publicPage(r, in); err != nil {
			s.writeError(w, r, err)
			return
		}
		s.cache.put(key, page)
	}
	if a.User == nil && a.GuestToken == "" {
		w.Header().Set("X-Parley-Cache", map[bool]string{true: "hit", false: "miss"}[hit])
		writeRawJSON(w, http.StatusOK, page.body)
		return
	}
	own, err := s.viewerComments(r, a, in, page)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var viewer any
	if a.User != nil {
		role, err := s.svc.ViewerRole(r.Context(), a.User, page.siteID)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		viewer = map[string]any{"name": a.User.Name, "role": role}
	}
	body, n, err := page.withViewer(own, in.Newest, viewer)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	// One write of the whole answer, as for an anonymous reader: written
	// piece by piece, it went out in as many system calls as the response
	// buffer fills.
	buf := answerBufs.Get().(*bytes.Buffer)
	buf.Reset()
	buf.Grow(n)
	_, _ = body.WriteTo(buf)
	writeRawJSON(w, http.StatusOK, buf.Bytes())
	if buf.Cap() <= maxPooledAnswer {
		answerBufs.Put(buf)
	}
}

// viewerComments returns the reader's own comments on the page: one
// indexed query the first time, then remembered with the page, which an
// event on the story (such as a change to one of them) drops.
func (s *Server) viewerComments(r *http.Request, a service.Author, in service.ThreadInput, page *publicPage) ([]*parley.Comment, error) {
	viewer := "g:" + a.GuestToken
	if a.User != nil {
		viewer = "u:" + a.User.ID
	}
	if own, ok := page.overlay(viewer); ok {
		return own, nil
	}
	own, err := s.svc.ViewerComments(r.Context(), a, in, page.storyID, page.last)
	if err == nil {
		page.rememberOverlay(viewer, own)
	}
	return own, err
}

// publicPage reads one page of a thread as an anonymous reader sees it.
func (s *Server) publicPage(r *http.Request, in service.ThreadInput) (*publicPage, error) {
	page, err := s.svc.Thread(r.Context(), service.Author{}, in)
	if err != nil {
		return nil, err
	}
	p := &publicPage{comments: make([]publicComment, 0, len(page.Comments)), badges: page.Badges, siteID: page.Site.ID}
	for _, c := range page.Comments {
		if c.Status != parley.StatusApproved {
			continue // defence in depth: the store already filters
		}
		p.comments = append(p.comments, toPublic(c, page.Badges, false))
	}
	if page.NextCursor != "" && len(p.comments) > 0 {
		p.last = p.comments[len(p.comments)-1].ID
	}
	locale := r.URL.Query().Get("locale")
	if locale == "" && page.Story != nil {
		locale = page.Story.Locale // the story's own language picks the policy text
	}
	p.resp = map[string]any{"comments": p.comments, "next_cursor": page.NextCursor, "count": page.Count,
		"site": publicSite(page.Site, locale), "story": nil, "viewer": nil}
	if page.Story != nil {
		p.storyID = page.Story.ID
		// locale is the story's own widget language, "" for the site's.
		p.resp["story"] = map[string]any{"id": page.Story.ID, "title": page.Title, "closed": page.Story.Closed, "locale": page.Story.Locale}
	}
	if p.body, err = marshalJSON(p.resp); err != nil {
		return nil, err
	}
	rest := map[string]any{}
	for k, v := range p.resp {
		if k != "comments" && k != "viewer" {
			rest[k] = v
		}
	}
	if p.rest, err = marshalJSON(rest); err != nil {
		return nil, err
	}
	p.raw = make([][]byte, len(p.comments))
	for i, c := range p.comments {
		b, err := marshalJSON(c)
		if err != nil {
			return nil, err
		}
		p.raw[i] = bytes.TrimRight(b, "\n")
	}
	return p, nil
}

// answerBufs holds buffers for signed-in readers' answers, up to
// maxPooledAnswer bytes each.
var answerBufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

const maxPooledAnswer = 1 << 20

// withViewer returns the page's answer for a signed-in viewer, in pieces,
// and its length: their own comments of the page merged in, in thread
// order (theirs replace the public copies, which do not show an edit
// awaiting review, and their comments nobody else sees are added), and
// viewer set. The public comments are encoded once per page (raw) and
// written as they are, so a signed-in answer costs little more than an
// anonymous one.
func (p *publicPage) withViewer(own []*parley.Comment, newest bool, viewer any) (net.Buffers, int, error) {
	v, err := marshalJSON(viewer)
	if err != nil {
		return nil, 0, err
	}
	out := make(net.Buffers, 0, 2*(len(p.comments)+len(own))+4)
	n := 0
	add := func(b []byte) {
		out = append(out, b)
		n += len(b)
	}
	comma := []byte{','}
	items := 0
	item := func(raw []byte) {
		if items > 0 {
			add(comma)
		}
		add(raw)
		items++
	}
	mine := func(c *parley.Comment) error {
		raw, err := marshalJSON(toPublic(c, p.badges, true))
		if err == nil {
			item(bytes.TrimRight(raw, "\n"))
		}
		return err
	}
	add([]byte(`{"comments":[`))
	// Both lists are in thread order (by ID, ascending or, for newest
	// first, descending): merge them, the viewer's copy replacing the
	// public one.
	before := func(x, y string) bool { // strictly
		if newest {
			return x > y
		}
		return x < y
	}
	i := 0
	for j, c := range p.comments {
		for ; i < len(own) && before(own[i].ID, c.ID); i++ {
			if err := mine(own[i]); err != nil {
				return nil, 0, err
			}
		}
		if i < len(own) && own[i].ID == c.ID {
			if err := mine(own[i]); err != nil {
				return nil, 0, err
			}
			i++
			continue
		}
		item(p.raw[j])
	}
	for ; i < len(own); i++ {
		if err := mine(own[i]); err != nil {
			return nil, 0, err
		}
	}
	add([]byte(`],"viewer":`))
	add(bytes.TrimRight(v, "\n"))
	add(comma)
	add(p.rest[1:]) // the other fields, without their opening brace
	return out, n, nil
}

type postRequest struct {
	Site        string  `json:"site"`
	StoryURL    string  `json:"story_url"`
	StoryTitle  string  `json:"story_title"`
	ParentID    *string `json:"parent_id"`
	Body        *string `json:"body"`
	AuthorName  string  `json:"author_name"`
	AuthorEmail string  `json:"author_email"`
	Honeypot    string  `json:"hp"`
	ComposeMS   int64   `json:"compose_ms"`
}

func (s *Server) handlePostComment(w http.ResponseWriter, r *http.Request) {
	var in postRequest
	if err := decodeJSON(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	a, err := s.author(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if in.Body == nil {
		s.writeError(w, r, parley.Errorf(parley.EINVALID, "body is required."))
		return
	}
	pin := service.PostInput{SiteID: in.Site, StoryURL: in.StoryURL, StoryTitle: in.StoryTitle, Body: *in.Body,
		GuestName: in.AuthorName, GuestEmail: in.AuthorEmail, Honeypot: in.Honeypot, ComposeMillis: in.ComposeMS,
		IdempotencyKey: r.Header.Get("Idempotency-Key")}
	if in.ParentID != nil {
		pin.ParentID = *in.ParentID
	}
	res, err := s.svc.Post(r.Context(), a, pin)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := map[string]any{"comment": toPublic(res.Comment, nil, true)}
	if res.GuestToken != "" {
		out["guest_token"] = res.GuestToken
		http.SetCookie(w, &http.Cookie{Name: GuestCookie, Value: res.GuestToken, Path: "/", MaxAge: 365 * 24 * 3600,
			HttpOnly: true, Secure: s.cookies.IsSecure(r), SameSite: http.SameSiteLaxMode})
	}
	if res.Replayed {
		w.Header().Set("Idempotent-Replayed", "true")
	}
	writeJSON(w, http.StatusCreated, out)
}

type editRequest struct {
	Body *string `json:"body"`
}

func (s *Server) handleEditComment(w http.ResponseWriter, r *http.Request) {
	var in editRequest
	if err := decodeJSON(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	a, err := s.author(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if in.Body == nil {
		s.writeError(w, r, parley.Errorf(parley.EINVALID, "body is required."))
		return
	}
	c, err := s.svc.Edit(r.Context(), a, r.PathValue("id"), *in.Body)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"comment": toPublic(c, nil, true)})
}

type previewRequest struct {
	Site string `json:"site"`
	Body string `json:"body"`
}

func (s *Server) handlePreview(w http.ResponseWriter, r *http.Request) {
	var in previewRequest
	if err := decodeJSON(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	html, err := s.svc.RenderPreview(r.Context(), in.Body)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"html": html})
}

type reportRequest struct {
	Reason string `json:"reason"`
	Note   string `json:"note"`
}

func (s *Server) handleReport(w http.ResponseWriter, r *http.Request) {
	var in reportRequest
	if err := decodeJSON(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	a, err := s.author(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if _, err := s.svc.Report(r.Context(), a, r.PathValue("id"), parley.Reason(in.Reason), in.Note); err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"ok": true})
}
