package modui

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/internal/httpx"
	"github.com/parley-comments/parley/service"
)

// queueView is one page of a queue with its filters.
type queueView struct {
	Status   parley.Status
	Sort     parley.QueueSort
	StoryID  string
	Language string
	Label    parley.Label
	MinScore string
	Author   string
	Cluster  string
	Filtered bool
	Items    []*itemView
	Tabs     []tab
	Stories  []*parley.Story
	NextURL  string
	FirstURL string
	// Filter is the query string of the filters (no cursor), used by the
	// script to ask whether a new comment belongs in this view.
	Filter string
	Back   string
	// LowRisk is the low-risk lane: a compact page, every item ticked.
	LowRisk bool
}

// lowRiskView is the queue tab of the low-risk lane (service.LowRisk).
const lowRiskView parley.Status = "lowrisk"

type tab struct {
	Status  parley.Status
	Name    string
	Count   int
	NoCount bool
	URL     string
	Current bool
}

// itemView is one comment as the queue shows it.
type itemView struct {
	C           *parley.Comment
	Text        template.HTML // the text under review, evidence highlighted
	Story       *parley.Story
	StoryTitle  string
	Parent      *parley.Comment
	Guest       bool
	Email       string
	AuthorRole  parley.Role
	History     map[parley.Status]int
	Sanctions   []*parley.Sanction
	ClusterSize int
	Scores      []scoreView
	Suggested   parley.Reason
	// ReportGroups are the open reader reports, grouped by reason, the
	// most frequent reason first.
	ReportGroups []reportGroup
}

// reportGroup is the open reports that give one reason.
type reportGroup struct {
	Reason  parley.Reason
	Reports []*service.ReportView
}

// groupReports groups reports by reason, the largest group first (ties in
// the order of the first report), each group oldest first.
func groupReports(reports []*service.ReportView) []reportGroup {
	var out []reportGroup
	at := map[parley.Reason]int{}
	for _, r := range reports {
		i, ok := at[r.Reason]
		if !ok {
			i = len(out)
			at[r.Reason] = i
			out = append(out, reportGroup{Reason: r.Reason})
		}
		out[i].Reports = append(out[i].Reports, r)
	}
	sort.SliceStable(out, func(i, j int) bool { return len(out[i].Reports) > len(out[j].Reports) })
	return out
}

type scoreView struct {
	Label parley.Label
	Name  string
	Value float64
	Pct   string
	High  bool
}

// parseFilter reads a queue filter from the query string.
func parseFilter(q url.Values, siteID string) (parley.QueueFilter, *queueView, error) {
	v := &queueView{Status: parley.Status(q.Get("status")), Sort: parley.QueueSort(q.Get("sort")), StoryID: q.Get("story"),
		Language: strings.TrimSpace(q.Get("language")), Label: parley.Label(q.Get("label")), MinScore: q.Get("min_score"),
		Author: strings.TrimSpace(q.Get("author")), Cluster: q.Get("cluster")}
	if v.Status == "" {
		v.Status = parley.StatusPending
	}
	reported := v.Status == parley.CountReported
	if v.Status == lowRiskView {
		// The low-risk lane has no filters: it is the oldest pending
		// comments that every signal calls clean.
		return parley.QueueFilter{SiteID: siteID, Status: parley.StatusPending}, &queueView{Status: lowRiskView, Sort: parley.SortOldest,
			LowRisk: true, Filter: "status=" + string(lowRiskView)}, nil
	}
	if !v.Status.Valid() && !reported {
		return parley.QueueFilter{}, nil, parley.Errorf(parley.EINVALID, "Unknown queue %q.", v.Status)
	}
	if v.Sort == "" {
		v.Sort = parley.SortOldest
	}
	f := parley.QueueFilter{SiteID: siteID, Status: v.Status, StoryID: v.StoryID, Language: v.Language, Label: v.Label,
		AuthorKey: v.Author, ClusterID: v.Cluster, Sort: v.Sort, Cursor: q.Get("cursor"), Limit: pageSize}
	if reported {
		// The Reported queue: published comments that readers reported,
		// and those hidden after reports (Settings.HideAfterReports).
		f.Status, f.Reported = "", true
	}
	if v.Label != "" {
		known := false
		for _, l := range parley.Labels {
			known = known || l == v.Label
		}
		if !known {
			return f, nil, parley.Errorf(parley.EINVALID, "Unknown label %q.", v.Label)
		}
		f.MinScore = 0.5
		if v.MinScore != "" {
			s, err := strconv.ParseFloat(v.MinScore, 64)
			if err != nil || s < 0 || s > 1 {
				return f, nil, parley.Errorf(parley.EINVALID, "The minimum score is a number from 0 to 1.")
			}
			f.MinScore = s
		}
	}
	v.Filtered = v.StoryID != "" || v.Language != "" || v.Label != "" || v.Author != "" || v.Cluster != ""
	fq := url.Values{}
	fq.Set("status", string(v.Status))
	fq.Set("sort", string(v.Sort))
	for k, val := range map[string]string{"story": v.StoryID, "language": v.Language, "label": string(v.Label),
		"min_score": v.MinScore, "author": v.Author, "cluster": v.Cluster} {
		if val != "" {
			fq.Set(k, val)
		}
	}
	v.Filter = fq.Encode()
	return f, v, nil
}

// itemFor builds the view of one queue item.
func (ui *UI) itemFor(r *http.Request, rq *request, it *service.QueueItem, lang string) (*itemView, error) {
	c := it.Comment
	v := &itemView{C: c, Story: it.Story, Parent: it.Parent, Guest: c.IsGuest(), AuthorRole: it.Role, History: it.History,
		Sanctions: it.Sanctions, ClusterSize: it.ClusterSize, Suggested: c.SuggestedReason, ReportGroups: groupReports(it.Reports)}
	text := c.Body
	if c.EditPending {
		text = c.PendingBody
	}
	v.Text = Highlight(text, c.Evidence, func(l parley.Label) string { return ui.cat.T(lang, "label."+string(l)) })
	if it.Story != nil {
		v.StoryTitle = it.Story.Title
		if v.StoryTitle == "" {
			v.StoryTitle = it.Story.URL
		}
	}
	v.Email = it.AuthorEmail
	for _, l := range parley.Labels {
		s, ok := c.Scores[l]
		if !ok {
			continue
		}
		v.Scores = append(v.Scores, scoreView{Label: l, Name: ui.cat.T(lang, "label."+string(l)), Value: s,
			Pct: fmt.Sprintf("%.0f%%", s*100), High: s >= 0.5})
	}
	sort.SliceStable(v.Scores, func(i, j int) bool { return v.Scores[i].Value > v.Scores[j].Value })
	return v, nil
}

func (ui *UI) handleQueue(w http.ResponseWriter, r *http.Request, rq *request) {
	f, v, err := parseFilter(r.URL.Query(), rq.site.ID)
	if err != nil {
		ui.fail(w, r, rq, err)
		return
	}
	var qp *service.QueuePage
	if v.LowRisk {
		qp, err = ui.svc.LowRiskQueue(r.Context(), rq.user, rq.site.ID)
	} else {
		qp, err = ui.svc.Queue(r.Context(), rq.user, f)
	}
	if err != nil {
		ui.fail(w, r, rq, err)
		return
	}
	p := ui.newPage(r, rq, "queue")
	p.Queue = v
	for _, it := range qp.Items {
		iv, err := ui.itemFor(r, rq, it, rq.lang)
		if err != nil {
			ui.fail(w, r, rq, err)
			return
		}
		v.Items = append(v.Items, iv)
	}
	base := p.SiteURL("")
	for _, st := range []parley.Status{parley.StatusPending, lowRiskView, parley.CountReported, parley.StatusApproved, parley.StatusRejected, parley.StatusSpam} {
		t := tab{Status: st, Name: p.StatusName(st), Count: qp.Counts[st], URL: base + "?status=" + string(st), Current: st == v.Status}
		if st == lowRiskView {
			// Counting the lane would mean scoring the whole queue; its
			// page shows how many it found.
			t.Name, t.NoCount = p.T("lowrisk.tab"), true
		}
		v.Tabs = append(v.Tabs, t)
	}
	if qp.NextCursor != "" {
		v.NextURL = base + "?" + v.Filter + "&cursor=" + url.QueryEscape(qp.NextCursor)
	}
	if f.Cursor != "" {
		v.FirstURL = base + "?" + v.Filter
	}
	v.Back = r.URL.RequestURI()
	if v.Stories, _, err = ui.svc.ModeratorStories(r.Context(), rq.user, rq.site.ID, "", 200); err != nil {
		ui.fail(w, r, rq, err)
		return
	}
	ui.render(w, r, http.StatusOK, "queue", p)
}

// handleItem renders one item as an HTML fragment for the live queue, or
// 204 if the comment does not belong in the view given by the query.
func (ui *UI) handleItem(w http.ResponseWriter, r *http.Request, rq *request) {
	f, v, err := parseFilter(r.URL.Query(), rq.site.ID)
	if err != nil {
		ui.fail(w, r, rq, err)
		return
	}
	id := r.PathValue("id")
	val, err := ui.live.get(r.Context(), rq.site.ID, itemKey(rq.site.ID, id), since(r), func(ctx context.Context) (any, error) {
		return ui.svc.QueueItemIn(ctx, rq.scope, id)
	})
	if err != nil {
		ui.fail(w, r, rq, err)
		return
	}
	it := val.(*service.QueueItem)
	if v.LowRisk && !service.LowRisk(it) || !v.LowRisk && !service.InQueue(f, it.Comment) {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	iv, err := ui.itemFor(r, rq, it, rq.lang)
	if err != nil {
		ui.fail(w, r, rq, err)
		return
	}
	p := ui.newPage(r, rq, "queue")
	v.Back = p.SiteURL("?" + v.Filter)
	p.Queue = v
	var b strings.Builder
	if err := ui.pages.get("queue").ExecuteTemplate(&b, "item", p.ItemCtx(iv)); err != nil {
		ui.fail(w, r, rq, fmt.Errorf("render item: %w", err))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write([]byte(b.String()))
}

// writeWithCounts answers the script with {key: v, "counts": the queue counts}.
func (ui *UI) writeWithCounts(w http.ResponseWriter, r *http.Request, rq *request, key string, v any) {
	counts, err := ui.counts(r, rq)
	if err != nil {
		ui.fail(w, r, rq, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{key: v, "counts": counts})
}

func (ui *UI) counts(r *http.Request, rq *request) (map[parley.Status]int, error) {
	return ui.svc.QueueCounts(r.Context(), rq.scope)
}

// handleCounts answers the script's request for the tab counts after a
// live event, shared among this instance's tabs (liveCache).
func (ui *UI) handleCounts(w http.ResponseWriter, r *http.Request, rq *request) {
	c, err := ui.live.get(r.Context(), rq.site.ID, countsKey(rq.site.ID), since(r), func(ctx context.Context) (any, error) {
		return ui.svc.QueueCounts(ctx, rq.scope)
	})
	if err != nil {
		ui.fail(w, r, rq, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"counts": c})
}

// since is the time of the live event a request follows (the "since"
// query parameter, RFC 3339), or zero.
func since(r *http.Request) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, r.URL.Query().Get("since"))
	return t
}

// decisionFrom reads a decision from a form.
func decisionFrom(r *http.Request) service.Decision {
	d := service.Decision{Action: r.PostFormValue("action"), Reason: parley.Reason(r.PostFormValue("reason")), Note: r.PostFormValue("note")}
	d.ExpectVersion, _ = strconv.Atoi(r.PostFormValue("version"))
	return d
}

func (ui *UI) handleDecide(w http.ResponseWriter, r *http.Request, rq *request) {
	id := r.PostFormValue("id")
	d := decisionFrom(r)
	if d.ExpectVersion == 0 {
		// The dashboard always shows a version; a form without one is
		// refused rather than decided blindly.
		ui.fail(w, r, rq, parley.Errorf(parley.EINVALID, "The comment's version is missing."))
		return
	}
	out, err := ui.svc.DecideIn(r.Context(), rq.scope, id, d)
	if err != nil {
		ui.fail(w, r, rq, err)
		return
	}
	if httpx.WantsJSON(r) {
		ui.writeWithCounts(w, r, rq, "comment", map[string]any{"id": out.ID, "status": out.Status, "version": out.Version})
		return
	}
	http.Redirect(w, r, withDone(back(r, "/moderation/s/"+rq.site.ID), "decided"), http.StatusSeeOther)
}

func (ui *UI) handleBulk(w http.ResponseWriter, r *http.Request, rq *request) {
	d := decisionFrom(r)
	d.ExpectVersion = 0
	var res *service.BulkResult
	var err error
	switch scope := r.PostFormValue("scope"); scope {
	case "cluster", "author":
		f := parley.QueueFilter{SiteID: rq.site.ID, Status: parley.StatusPending}
		if scope == "cluster" {
			f.ClusterID = r.PostFormValue("cluster")
		} else {
			f.AuthorKey = r.PostFormValue("author")
		}
		if f.ClusterID == "" && f.AuthorKey == "" {
			err = parley.Errorf(parley.EINVALID, "Nothing was selected.")
			break
		}
		res, err = ui.svc.DecideWhere(r.Context(), rq.user, f, d)
	default:
		ids := r.PostForm["ids"]
		if len(ids) == 0 {
			err = parley.Errorf(parley.EINVALID, "Nothing was selected.")
			break
		}
		res, err = ui.svc.DecideMany(r.Context(), rq.user, rq.site.ID, ids, d)
	}
	if err != nil {
		ui.fail(w, r, rq, err)
		return
	}
	if httpx.WantsJSON(r) {
		counts, err := ui.counts(r, rq)
		if err != nil {
			ui.fail(w, r, rq, err)
			return
		}
		failed := make(map[string]string, len(res.Failed))
		for id, err := range res.Failed {
			failed[id] = ui.errorMessage(rq.lang, err)
		}
		httpx.WriteJSON(w, http.StatusOK, map[string]any{"decided": res.Decided, "failed": failed, "selected": res.Selected, "counts": counts})
		return
	}
	http.Redirect(w, r, withDone(back(r, "/moderation/s/"+rq.site.ID), "bulk"), http.StatusSeeOther)
}

// withDone adds ?done=key to a dashboard path for the confirmation message.
func withDone(path, key string) string {
	u, err := url.Parse(path)
	if err != nil {
		return path
	}
	q := u.Query()
	q.Set("done", key)
	q.Del("cursor")
	u.RawQuery = q.Encode()
	return u.String()
}

// campaignView is one duplicate cluster on the campaigns page.
type campaignView struct {
	*service.Campaign
	Excerpt   string
	ReviewURL string
}

func (ui *UI) handleCampaigns(w http.ResponseWriter, r *http.Request, rq *request) {
	cs, err := ui.svc.Campaigns(r.Context(), rq.user, rq.site.ID)
	if err != nil {
		ui.fail(w, r, rq, err)
		return
	}
	p := ui.newPage(r, rq, "campaigns")
	for _, c := range cs {
		p.Campaigns = append(p.Campaigns, &campaignView{Campaign: c, Excerpt: excerpt(c.Sample.Body, 400),
			ReviewURL: p.SiteURL("?cluster=" + url.QueryEscape(c.ClusterID))})
	}
	ui.render(w, r, http.StatusOK, "campaigns", p)
}

// excerpt shortens s to at most n characters.
func excerpt(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}

// Hist returns the author's number of comments with status s.
func (v *itemView) Hist(s string) int { return v.History[parley.Status(s)] }
