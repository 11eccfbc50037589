package transfer

import (
	"encoding/json"
	"io"
	"strings"
)

// remark42 decodes a remark42 backup: JSON lines, gzipped or not. The first
// line may be metadata ({"version":…, "users":[…], "posts":[…]}); every
// other line is one comment as remark42 stores it. remark42 has no
// moderation queue, so comments are approved unless deleted.
type remark42 struct {
	l        *lineReader
	q        queue
	threads  map[string]bool
	readOnly map[string]bool
}

func newRemark42(r io.Reader) (*remark42, error) {
	l, err := newLineReader("remark42", r)
	if err != nil {
		return nil, err
	}
	return &remark42{l: l, threads: map[string]bool{}, readOnly: map[string]bool{}}, nil
}

type r42Comment struct {
	ID      string               `json:"id"`
	PID     string               `json:"pid"`
	Text    string               `json:"text"`
	Orig    string               `json:"orig"`
	Time    string               `json:"time"`
	Delete  bool                 `json:"delete"`
	Title   string               `json:"title"`
	Version *int                 `json:"version"`
	Posts   []r42Post            `json:"posts"`
	Locator struct{ URL string } `json:"locator"`
	User    struct {
		ID    string `json:"id"`
		Name  string `json:"name"`
		Email string `json:"email"`
	} `json:"user"`
}

type r42Post struct {
	URL      string `json:"url"`
	ReadOnly bool   `json:"read_only"`
}

func (d *remark42) Next() (Record, error) {
	for {
		if r, ok := d.q.pop(); ok {
			return r, nil
		}
		b, err := d.l.next()
		if err != nil {
			return Record{}, err
		}
		line := d.l.line
		var c r42Comment
		if err := json.Unmarshal(b, &c); err != nil {
			if d.l.line == 1 {
				return Record{}, &SyntaxError{Format: "remark42", Line: line, Msg: "not a remark42 backup: " + err.Error()}
			}
			return Record{Skip: &Skip{Line: line, Reason: "malformed JSON: " + err.Error()}}, nil
		}
		if c.Version != nil && c.ID == "" { // the metadata line
			for _, p := range c.Posts {
				d.readOnly[p.URL] = p.ReadOnly
			}
			continue
		}
		return d.comment(c, line), nil
	}
}

func (d *remark42) comment(c r42Comment, line int) Record {
	u := strings.TrimSpace(c.Locator.URL)
	if u == "" {
		return Record{Skip: &Skip{Line: line, SourceID: c.ID, Reason: "comment without locator.url"}}
	}
	t, err := parseTime(c.Time)
	if err != nil {
		return Record{Skip: &Skip{Line: line, SourceID: c.ID, Reason: "comment has a bad time: " + err.Error()}}
	}
	out := &Comment{SourceID: strings.TrimSpace(c.ID), ThreadID: u, ParentID: strings.TrimSpace(c.PID),
		HTML: c.Text, AuthorName: strings.TrimSpace(c.User.Name), AuthorEmail: strings.TrimSpace(c.User.Email),
		AuthorUserID: strings.TrimSpace(c.User.ID), CreatedAt: t, State: StateApproved, Line: line}
	if c.Delete {
		out.State = StateDeleted
	}
	rec := Record{Comment: out}
	if !d.threads[u] {
		d.threads[u] = true
		d.q = append(d.q, rec)
		return Record{Thread: &Thread{SourceID: u, URL: u, Title: strings.TrimSpace(c.Title), Closed: d.readOnly[u], Line: line}}
	}
	return rec
}
