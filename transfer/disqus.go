package transfer

import (
	"io"
	"strings"
)

// disqus decodes the Disqus XML export: a <disqus> document with
// <category>, <thread dsq:id> and <post dsq:id> elements. Posts name their
// thread and parent by dsq:id; messages are HTML, usually in CDATA.
type disqus struct {
	x       *xmlStream
	started bool
	done    bool
}

func newDisqus(r io.Reader) *disqus { return &disqus{x: newXMLStream("disqus", r)} }

type dsqRef struct {
	ID string `xml:"id,attr"` // dsq:id
}

type dsqAuthor struct {
	Email       string `xml:"email"`
	Name        string `xml:"name"`
	Username    string `xml:"username"`
	IsAnonymous string `xml:"isAnonymous"`
}

type dsqThread struct {
	DsqID     string    `xml:"id,attr"`
	Link      string    `xml:"link"`
	Title     string    `xml:"title"`
	CreatedAt string    `xml:"createdAt"`
	IsClosed  string    `xml:"isClosed"`
	IsDeleted string    `xml:"isDeleted"`
	Author    dsqAuthor `xml:"author"`
}

type dsqPost struct {
	DsqID      string    `xml:"id,attr"`
	Message    string    `xml:"message"`
	CreatedAt  string    `xml:"createdAt"`
	IsDeleted  string    `xml:"isDeleted"`
	IsSpam     string    `xml:"isSpam"`
	IsApproved string    `xml:"isApproved"`
	IP         string    `xml:"ipAddress"`
	Author     dsqAuthor `xml:"author"`
	Thread     dsqRef    `xml:"thread"`
	Parent     *dsqRef   `xml:"parent"`
}

func (d *disqus) Next() (Record, error) {
	if d.done {
		return Record{}, io.EOF
	}
	if !d.started {
		if err := d.x.root("disqus", "a Disqus export"); err != nil {
			return Record{}, err
		}
		d.started = true
	}
	for {
		se, ok, err := d.x.child()
		if err != nil {
			return Record{}, err
		}
		if !ok {
			d.done = true
			return Record{}, d.x.end()
		}
		line := d.x.line()
		switch se.Name.Local {
		case "thread":
			var t dsqThread
			if err := d.x.decode(&t, se); err != nil {
				return Record{}, err
			}
			return d.thread(t, line), nil
		case "post":
			var p dsqPost
			if err := d.x.decode(&p, se); err != nil {
				return Record{}, err
			}
			return d.post(p, line), nil
		default:
			if err := d.x.d.Skip(); err != nil {
				return Record{}, d.x.fail(err)
			}
		}
	}
}

func (d *disqus) thread(t dsqThread, line int) Record {
	id := strings.TrimSpace(t.DsqID)
	if id == "" {
		return Record{Skip: &Skip{Line: line, Reason: "thread without dsq:id"}}
	}
	th := &Thread{SourceID: id, URL: strings.TrimSpace(t.Link), Title: strings.TrimSpace(t.Title), Closed: xmlBool(t.IsClosed), Line: line}
	if t.CreatedAt != "" {
		th.CreatedAt, _ = parseTime(t.CreatedAt)
	}
	return Record{Thread: th}
}

func (d *disqus) post(p dsqPost, line int) Record {
	c := &Comment{
		SourceID: strings.TrimSpace(p.DsqID), ThreadID: strings.TrimSpace(p.Thread.ID),
		HTML: p.Message, AuthorName: strings.TrimSpace(p.Author.Name), AuthorEmail: strings.TrimSpace(p.Author.Email),
		AuthorIP: strings.TrimSpace(p.IP), State: StateApproved, Line: line,
	}
	if !xmlBool(p.Author.IsAnonymous) {
		c.AuthorUserID = strings.TrimSpace(p.Author.Username)
	}
	if p.Parent != nil {
		c.ParentID = strings.TrimSpace(p.Parent.ID)
	}
	switch {
	case xmlBool(p.IsDeleted):
		c.State = StateDeleted
	case xmlBool(p.IsSpam):
		c.State = StateSpam
	case strings.TrimSpace(p.IsApproved) != "" && !xmlBool(p.IsApproved):
		c.State = StatePending
	}
	t, err := parseTime(p.CreatedAt)
	if err != nil {
		return Record{Skip: &Skip{Line: line, SourceID: c.SourceID, Reason: "post has a bad <createdAt>: " + err.Error()}}
	}
	c.CreatedAt = t
	return Record{Comment: c}
}
