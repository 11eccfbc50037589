package transfer

import (
	"io"
	"strings"
)

// wxr decodes WordPress's export (WXR): RSS 2.0 with the wp: namespace. Each
// <item> is a post or page; its <wp:comment> elements are the comments.
// comment_approved is 1 (approved), 0 (pending), spam, or trash.
type wxr struct {
	x       *xmlStream
	started bool
	done    bool
	q       queue
}

func newWXR(r io.Reader) *wxr { return &wxr{x: newXMLStream("wordpress", r)} }

type wxrComment struct {
	ID       string `xml:"comment_id"`
	Author   string `xml:"comment_author"`
	Email    string `xml:"comment_author_email"`
	IP       string `xml:"comment_author_IP"`
	DateGMT  string `xml:"comment_date_gmt"`
	Date     string `xml:"comment_date"`
	Content  string `xml:"comment_content"`
	Approved string `xml:"comment_approved"`
	Type     string `xml:"comment_type"`
	Parent   string `xml:"comment_parent"`
	UserID   string `xml:"comment_user_id"`
}

func (w *wxr) Next() (Record, error) {
	for {
		if r, ok := w.q.pop(); ok {
			return r, nil
		}
		if w.done {
			return Record{}, io.EOF
		}
		if err := w.fill(); err != nil {
			return Record{}, err
		}
	}
}

// fill reads the next <item> (or the end) into the queue.
func (w *wxr) fill() error {
	if !w.started {
		if err := w.x.root("rss", "a WordPress export (WXR)"); err != nil {
			return err
		}
		se, ok, err := w.x.child()
		if err != nil {
			return err
		}
		if !ok || se.Name.Local != "channel" {
			return &SyntaxError{Format: "wordpress", Line: w.x.line(), Msg: "expected <channel> inside <rss>"}
		}
		w.started = true
	}
	for {
		se, ok, err := w.x.child()
		if err != nil {
			return err
		}
		if !ok { // </channel>
			for {
				_, more, err := w.x.child() // anything after the channel, then </rss>
				if err != nil {
					return err
				}
				if !more {
					break
				}
				if err := w.x.d.Skip(); err != nil {
					return w.x.fail(err)
				}
			}
			w.done = true
			if err := w.x.end(); err != io.EOF {
				return err
			}
			return nil
		}
		if se.Name.Local != "item" {
			if err := w.x.d.Skip(); err != nil {
				return w.x.fail(err)
			}
			continue
		}
		return w.item()
	}
}

// item reads one <item>: the thread first, then its comments.
func (w *wxr) item() error {
	th := &Thread{Line: w.x.line()}
	var comments queue
	var postDate string
	for {
		se, ok, err := w.x.child()
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		switch se.Name.Local {
		case "title", "link", "post_id", "post_date_gmt", "comment_status":
			s, err := w.x.text(se)
			if err != nil {
				return err
			}
			s = strings.TrimSpace(s)
			switch se.Name.Local {
			case "title":
				th.Title = s
			case "link":
				th.URL = s
			case "post_id":
				th.SourceID = s
			case "post_date_gmt":
				postDate = s
			case "comment_status":
				th.Closed = s == "closed"
			}
		case "comment":
			line := w.x.line()
			var c wxrComment
			if err := w.x.decode(&c, se); err != nil {
				return err
			}
			comments = append(comments, wxrRecord(c, line))
		default:
			if err := w.x.d.Skip(); err != nil {
				return w.x.fail(err)
			}
		}
	}
	if th.SourceID == "" {
		th.SourceID = th.URL
	}
	if t, err := parseTime(postDate); err == nil && postDate != "0000-00-00 00:00:00" {
		th.CreatedAt = t
	}
	if len(comments) == 0 {
		return nil // posts without comments are not threads
	}
	w.q = append(w.q, Record{Thread: th})
	for _, r := range comments {
		if r.Comment != nil {
			r.Comment.ThreadID = th.SourceID
		}
		w.q = append(w.q, r)
	}
	return nil
}

func wxrRecord(c wxrComment, line int) Record {
	id := strings.TrimSpace(c.ID)
	switch t := strings.TrimSpace(c.Type); t {
	case "", "comment":
	case "pingback", "trackback":
		return Record{Skip: &Skip{Line: line, SourceID: id, Reason: t}}
	default:
		return Record{Skip: &Skip{Line: line, SourceID: id, Reason: "comment type " + t}}
	}
	out := &Comment{SourceID: id, HTML: wpAutoP(c.Content), AuthorName: strings.TrimSpace(c.Author),
		AuthorEmail: strings.TrimSpace(c.Email), AuthorIP: strings.TrimSpace(c.IP), Line: line}
	if p := strings.TrimSpace(c.Parent); p != "0" {
		out.ParentID = p
	}
	if u := strings.TrimSpace(c.UserID); u != "0" {
		out.AuthorUserID = u
	}
	switch strings.TrimSpace(c.Approved) {
	case "1", "approve", "approved":
		out.State = StateApproved
	case "0", "hold":
		out.State = StatePending
	case "spam":
		out.State = StateSpam
	case "trash", "post-trashed":
		out.State = StateDeleted
	default:
		return Record{Skip: &Skip{Line: line, SourceID: id, Reason: "unknown comment_approved " + strings.TrimSpace(c.Approved)}}
	}
	date := strings.TrimSpace(c.DateGMT)
	if date == "" || strings.HasPrefix(date, "0000-") {
		date = strings.TrimSpace(c.Date) // WordPress leaves the GMT date empty on some pending comments
	}
	t, err := parseTime(date)
	if err != nil {
		return Record{Skip: &Skip{Line: line, SourceID: id, Reason: "comment has a bad comment_date_gmt: " + err.Error()}}
	}
	out.CreatedAt = t
	return Record{Comment: out}
}

// wpAutoP turns WordPress's stored comment text, where blank lines separate
// paragraphs and single newlines are line breaks, into HTML paragraphs, as
// WordPress itself does when it displays a comment.
func wpAutoP(s string) string {
	s = strings.ReplaceAll(strings.TrimSpace(s), "\r\n", "\n")
	if s == "" || strings.Contains(s, "<p>") {
		return s
	}
	paras := strings.Split(s, "\n\n")
	var b strings.Builder
	for _, p := range paras {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		b.WriteString("<p>")
		b.WriteString(strings.ReplaceAll(p, "\n", "<br>\n"))
		b.WriteString("</p>\n")
	}
	return strings.TrimSpace(b.String())
}
