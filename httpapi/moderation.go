package httpapi

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/service"
)

// queueComment is a comment as moderators see it: everything, including
// the author's email and address. It is only ever served to moderators of
// the comment's site.
type queueComment struct {
	*parley.Comment
	Author    map[string]any        `json:"author"`
	Story     map[string]any        `json:"story"`
	Parent    map[string]any        `json:"parent"`
	Cluster   map[string]any        `json:"cluster"`
	History   map[parley.Status]int `json:"author_history"`
	Sanctions []*parley.Sanction    `json:"sanctions"`
}

func toQueueComment(it *service.QueueItem) queueComment {
	c := it.Comment
	q := queueComment{Comment: c, History: it.History, Sanctions: it.Sanctions}
	if q.Sanctions == nil {
		q.Sanctions = []*parley.Sanction{}
	}
	kind := "guest"
	if c.AuthorUserID != "" {
		kind = "user"
	}
	q.Author = map[string]any{"kind": kind, "name": c.AuthorName, "email": c.GuestEmail, "user_id": c.AuthorUserID,
		"key": c.AuthorKey, "ip": c.ClientIP, "role": it.Role}
	if it.Story != nil {
		q.Story = map[string]any{"id": it.Story.ID, "url": it.Story.URL, "title": it.Story.Title, "closed": it.Story.Closed}
	}
	if it.Parent != nil {
		q.Parent = map[string]any{"id": it.Parent.ID, "author_name": it.Parent.AuthorName, "html": it.Parent.HTML, "status": it.Parent.Status}
	}
	if c.ClusterID != "" {
		q.Cluster = map[string]any{"id": c.ClusterID, "size": it.ClusterSize}
	}
	return q
}

func (s *Server) handleQueue(w http.ResponseWriter, r *http.Request) {
	u, err := s.user(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	q := r.URL.Query()
	limit, err := queryInt(r, "limit", 50, 500)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	f := parley.QueueFilter{SiteID: q.Get("site"), Status: parley.Status(q.Get("status")), StoryID: q.Get("story"),
		Language: q.Get("language"), Label: parley.Label(q.Get("label")), AuthorKey: q.Get("author"),
		ClusterID: q.Get("cluster"), Reported: q.Get("reported") == "1" || q.Get("reported") == "true",
		Sort: parley.QueueSort(q.Get("sort")), Cursor: q.Get("cursor"), Limit: limit}
	if f.SiteID == "" {
		s.writeError(w, r, parley.Errorf(parley.EINVALID, "site is required."))
		return
	}
	if v := q.Get("min_score"); v != "" {
		if f.MinScore, err = strconv.ParseFloat(v, 64); err != nil {
			s.writeError(w, r, parley.Errorf(parley.EINVALID, "min_score must be a number."))
			return
		}
	}
	page, err := s.svc.Queue(r.Context(), u, f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	items := make([]queueComment, 0, len(page.Items))
	for _, it := range page.Items {
		items = append(items, toQueueComment(it))
	}
	writeJSON(w, http.StatusOK, map[string]any{"comments": items, "next_cursor": page.NextCursor, "counts": page.Counts})
}

func (s *Server) handleModComment(w http.ResponseWriter, r *http.Request) {
	u, err := s.user(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	d, err := s.svc.CommentDetail(r.Context(), u, r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"comment": d.Comment, "revisions": d.Revisions, "reports": d.Reports})
}

type decideRequest struct {
	Reason  string `json:"reason"`
	Note    string `json:"note"`
	Version int    `json:"version"`
}

func (s *Server) handleDecide(action string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		u, err := s.user(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		var in decideRequest
		if r.ContentLength != 0 {
			if err := decodeJSON(w, r, &in); err != nil {
				s.writeError(w, r, err)
				return
			}
		}
		c, err := s.svc.Decide(r.Context(), u, r.PathValue("id"), service.Decision{Action: action, Reason: parley.Reason(in.Reason), Note: in.Note, ExpectVersion: in.Version})
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"comment": c})
	}
}

type bulkRequest struct {
	Site      string   `json:"site"`
	Action    string   `json:"action"`
	Reason    string   `json:"reason"`
	Note      string   `json:"note"`
	IDs       []string `json:"ids"`
	ClusterID string   `json:"cluster_id"`
	AuthorKey string   `json:"author_key"`
}

func (s *Server) handleBulk(w http.ResponseWriter, r *http.Request) {
	u, err := s.user(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var in bulkRequest
	if err := decodeJSON(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	d := service.Decision{Action: in.Action, Reason: parley.Reason(in.Reason), Note: in.Note}
	var res *service.BulkResult
	switch {
	case in.Site == "":
		err = parley.Errorf(parley.EINVALID, "site is required.")
	case len(in.IDs) > 0:
		res, err = s.svc.DecideMany(r.Context(), u, in.Site, in.IDs, d)
	case in.ClusterID != "" || in.AuthorKey != "":
		res, err = s.svc.DecideWhere(r.Context(), u, parley.QueueFilter{SiteID: in.Site, ClusterID: in.ClusterID, AuthorKey: in.AuthorKey, Status: parley.StatusPending}, d)
	default:
		err = parley.Errorf(parley.EINVALID, "Give ids, cluster_id or author_key.")
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

func (s *Server) handleAudit(w http.ResponseWriter, r *http.Request) {
	u, err := s.user(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	q := r.URL.Query()
	limit, err := queryInt(r, "limit", 100, 1000)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	f := parley.AuditFilter{SiteID: q.Get("site"), CommentID: q.Get("comment"), ActorID: q.Get("actor"), Action: q.Get("action"),
		Query: q.Get("q"), Cursor: q.Get("cursor"), Limit: limit}
	for name, dst := range map[string]*time.Time{"since": &f.Since, "until": &f.Until} {
		if v := q.Get(name); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				s.writeError(w, r, parley.Errorf(parley.EINVALID, "%s must be an RFC 3339 time.", name))
				return
			}
			*dst = t
		}
	}
	if f.SiteID == "" {
		s.writeError(w, r, parley.Errorf(parley.EINVALID, "site is required."))
		return
	}
	entries, next, err := s.svc.Audit(r.Context(), u, f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if q.Get("format") == "csv" {
		writeAuditCSV(w, f.SiteID, entries)
		return
	}
	if entries == nil {
		entries = []*parley.AuditEntry{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"entries": entries, "next_cursor": next})
}

// writeAuditCSV writes audit entries as CSV, one row each.
func writeAuditCSV(w http.ResponseWriter, siteID string, entries []*parley.AuditEntry) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="parley-audit-%s.csv"`, siteID))
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"id", "created_at", "site_id", "comment_id", "actor_id", "actor_name", "action", "from", "to", "reason", "note", "scores"})
	for _, e := range entries {
		scores, _ := json.Marshal(e.Scores)
		_ = cw.Write([]string{e.ID, e.CreatedAt.Format(time.RFC3339Nano), e.SiteID, e.CommentID, e.ActorID, csvSafe(e.ActorName),
			e.Action, string(e.From), string(e.To), string(e.Reason), csvSafe(e.Note), string(scores)})
	}
	cw.Flush()
}

// csvSafe defuses spreadsheet formula injection.
func csvSafe(s string) string {
	if s != "" && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@') {
		return "'" + s
	}
	return s
}

type sanctionRequest struct {
	Site          string    `json:"site"`
	AuthorKey     string    `json:"author_key"`
	Kind          string    `json:"kind"`
	Reason        string    `json:"reason"`
	Until         time.Time `json:"until"`
	RejectPending bool      `json:"reject_pending"`
}

func (s *Server) handleAddSanction(w http.ResponseWriter, r *http.Request) {
	u, err := s.user(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var in sanctionRequest
	if err := decodeJSON(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	sn, err := s.svc.AddSanction(r.Context(), u, service.SanctionInput{SiteID: in.Site, AuthorKey: in.AuthorKey,
		Kind: parley.SanctionKind(in.Kind), Reason: in.Reason, Until: in.Until, RejectPending: in.RejectPending})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"sanction": sn})
}

func (s *Server) handleListSanctions(w http.ResponseWriter, r *http.Request) {
	u, err := s.user(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	list, err := s.svc.Sanctions(r.Context(), u, r.URL.Query().Get("site"), r.URL.Query().Get("author"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if list == nil {
		list = []*parley.Sanction{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"sanctions": list})
}

func (s *Server) handleRemoveSanction(w http.ResponseWriter, r *http.Request) {
	u, err := s.user(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.svc.RemoveSanction(r.Context(), u, r.URL.Query().Get("site"), r.PathValue("id")); err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"ok": true})
}

type storyRequest struct {
	Closed       *bool                  `json:"closed"`
	Mode         *parley.ModerationMode `json:"mode"`
	Title        *string                `json:"title"`
	URL          *string                `json:"url"`
	Locked       *bool                  `json:"locked"`
	AuthorEmails *[]string              `json:"author_emails"`
	Locale       *string                `json:"locale"`
}

func (s *Server) handleUpdateStory(w http.ResponseWriter, r *http.Request) {
	u, err := s.user(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var in storyRequest
	if err := decodeJSON(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	st, err := s.svc.UpdateStory(r.Context(), u, r.PathValue("id"), service.StorySettings{Closed: in.Closed, Mode: in.Mode, Title: in.Title, URL: in.URL,
		Locked: in.Locked, AuthorEmails: in.AuthorEmails, Locale: in.Locale})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"story": st})
}

func (s *Server) handleSiteSettings(w http.ResponseWriter, r *http.Request) {
	u, err := s.user(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var in parley.Settings
	if err := decodeJSON(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	site, err := s.svc.UpdateSiteSettings(r.Context(), u, r.PathValue("id"), in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"site": site})
}

func (s *Server) handleAdapterStatus(w http.ResponseWriter, r *http.Request) {
	u, err := s.user(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	n, err := s.svc.AdapterStatus(r.Context(), u, r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"decisions": n})
}

func (s *Server) handleAdapterReset(w http.ResponseWriter, r *http.Request) {
	u, err := s.user(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.svc.ResetAdapter(r.Context(), u, r.PathValue("id")); err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"decisions": 0})
}
