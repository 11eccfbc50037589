package transfer

import (
	"bytes"
	"encoding/json"
	"io"
	"net/url"
	"strings"
)

// commento decodes Commento's JSON export: {"version":1, "comments":[…],
// "commenters":[…]}. Comments come before the commenters they name, so the
// file is read whole (Commento exports are small); comments then stream out
// one by one. Threads are (domain, path) pairs.
type commento struct {
	data       []byte
	dec        *json.Decoder
	base       string
	commenters map[string]cmtCommenter
	threads    map[string]bool
	q          queue
	lineAt     func(off int64) int
	inArray    bool
	done       bool
}

type cmtCommenter struct {
	Hex   string `json:"commenterHex"`
	Email string `json:"email"`
	Name  string `json:"name"`
}

type cmtComment struct {
	Hex          string `json:"commentHex"`
	Domain       string `json:"domain"`
	Path         string `json:"path"`
	CommenterHex string `json:"commenterHex"`
	Markdown     string `json:"markdown"`
	HTML         string `json:"html"`
	ParentHex    string `json:"parentHex"`
	State        string `json:"state"`
	CreationDate string `json:"creationDate"`
	Deleted      bool   `json:"deleted"`
}

// maxCommentoSize bounds the whole-file read.
const maxCommentoSize = 1 << 30

func newCommento(r io.Reader, o Options) (*commento, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxCommentoSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxCommentoSize {
		return nil, &SyntaxError{Format: "commento", Msg: "the file is larger than 1 GiB"}
	}
	c := &commento{data: data, base: strings.TrimRight(o.BaseURL, "/"), commenters: map[string]cmtCommenter{}, threads: map[string]bool{}}
	c.lineAt = func(off int64) int { return bytes.Count(data[:min(int(off), len(data))], []byte("\n")) + 1 }
	// First pass: the commenters, wherever they are.
	var doc struct {
		Version    int               `json:"version"`
		Commenters []cmtCommenter    `json:"commenters"`
		Comments   []json.RawMessage `json:"comments"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		line := 0
		var se *json.SyntaxError
		if ok := asSyntax(err, &se); ok {
			line = c.lineAt(se.Offset)
		}
		return nil, &SyntaxError{Format: "commento", Line: line, Msg: "not a Commento export: " + err.Error()}
	}
	if doc.Comments == nil && doc.Commenters == nil {
		return nil, &SyntaxError{Format: "commento", Line: 1, Msg: `not a Commento export: no "comments" array`}
	}
	for _, m := range doc.Commenters {
		c.commenters[m.Hex] = m
	}
	c.dec = json.NewDecoder(bytes.NewReader(data))
	return c, nil
}

func asSyntax(err error, se **json.SyntaxError) bool {
	s, ok := err.(*json.SyntaxError)
	if ok {
		*se = s
	}
	return ok
}

func (c *commento) Next() (Record, error) {
	for {
		if r, ok := c.q.pop(); ok {
			return r, nil
		}
		if c.done {
			return Record{}, io.EOF
		}
		if !c.inArray {
			if err := c.seekComments(); err != nil {
				return Record{}, err
			}
			continue
		}
		if !c.dec.More() {
			c.done = true
			continue
		}
		off := int(c.dec.InputOffset())
		for off < len(c.data) && strings.IndexByte(" \t\r\n,", c.data[off]) >= 0 {
			off++
		}
		line := c.lineAt(int64(off))
		var raw cmtComment
		if err := c.dec.Decode(&raw); err != nil {
			c.q = append(c.q, Record{Skip: &Skip{Line: line, Reason: "malformed comment: " + err.Error()}})
			continue
		}
		c.record(raw, line)
	}
}

// seekComments moves the token stream into the "comments" array.
func (c *commento) seekComments() error {
	if _, err := c.dec.Token(); err != nil { // {
		return &SyntaxError{Format: "commento", Line: 1, Msg: err.Error()}
	}
	for c.dec.More() {
		tok, err := c.dec.Token()
		if err != nil {
			return &SyntaxError{Format: "commento", Line: c.lineAt(c.dec.InputOffset()), Msg: err.Error()}
		}
		if tok == "comments" {
			open, err := c.dec.Token()
			if err != nil {
				return &SyntaxError{Format: "commento", Line: c.lineAt(c.dec.InputOffset()), Msg: err.Error()}
			}
			if open != json.Delim('[') { // null: no comments
				c.done = true
				return nil
			}
			c.inArray = true
			return nil
		}
		var skip json.RawMessage
		if err := c.dec.Decode(&skip); err != nil {
			return &SyntaxError{Format: "commento", Line: c.lineAt(c.dec.InputOffset()), Msg: err.Error()}
		}
	}
	c.done = true
	return nil
}

func (c *commento) record(raw cmtComment, line int) {
	base := c.base
	if base == "" && raw.Domain != "" {
		base = "https://" + raw.Domain
	}
	u, err := url.JoinPath(base, raw.Path)
	if err != nil || base == "" {
		c.q = append(c.q, Record{Skip: &Skip{Line: line, SourceID: raw.Hex, Reason: "comment without a domain or path"}})
		return
	}
	if raw.Path == "" || strings.HasSuffix(raw.Path, "/") {
		u = strings.TrimRight(u, "/") + "/"
	}
	t, err := parseTime(raw.CreationDate)
	if err != nil {
		c.q = append(c.q, Record{Skip: &Skip{Line: line, SourceID: raw.Hex, Reason: "comment has a bad creationDate: " + err.Error()}})
		return
	}
	out := &Comment{SourceID: raw.Hex, ThreadID: u, CreatedAt: t, Line: line, State: StateApproved}
	if raw.ParentHex != "" && raw.ParentHex != "root" {
		out.ParentID = raw.ParentHex
	}
	if raw.Markdown != "" {
		out.Markdown = raw.Markdown
	} else {
		out.HTML = raw.HTML
	}
	if m, ok := c.commenters[raw.CommenterHex]; ok {
		out.AuthorName, out.AuthorEmail, out.AuthorUserID = m.Name, m.Email, m.Hex
	} else if raw.CommenterHex == "anonymous" || raw.CommenterHex == "" {
		out.AuthorName = "Anonymous"
	} else {
		out.AuthorUserID = raw.CommenterHex
	}
	switch {
	case raw.Deleted:
		out.State = StateDeleted
	case raw.State == "unapproved":
		out.State = StatePending
	case raw.State == "flagged":
		out.State = StateSpam
	}
	if !c.threads[u] {
		c.threads[u] = true
		c.q = append(c.q, Record{Thread: &Thread{SourceID: u, URL: u, Line: line}})
	}
	c.q = append(c.q, Record{Comment: out})
}
