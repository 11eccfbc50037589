package transfer

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
)

// JSONLVersion is the version of Parley's export schema (docs/migrate.md).
// A reader refuses a file with a higher version.
const JSONLVersion = 1

// JSONLHeader is the first line of a Parley export.
type JSONLHeader struct {
	Type       string    `json:"type"`   // "header"
	Format     string    `json:"format"` // "parley"
	Version    int       `json:"version"`
	SiteID     string    `json:"site_id"`
	SiteName   string    `json:"site_name,omitempty"`
	ExportedAt time.Time `json:"exported_at"`
}

// JSONLStory is one story line. Comments refer to stories by URL.
type JSONLStory struct {
	Type      string    `json:"type"` // "story"
	URL       string    `json:"url"`
	Title     string    `json:"title"`
	Closed    bool      `json:"closed,omitempty"`
	Mode      string    `json:"mode,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// JSONLAuthor is a comment's author. Email and Key are private: an export
// is for the site's administrators only.
type JSONLAuthor struct {
	Name   string `json:"name"`
	Email  string `json:"email,omitempty"`
	UserID string `json:"user_id,omitempty"`
	Key    string `json:"key,omitempty"`
}

// JSONLComment is one comment line. Comments come in ID order, which is
// creation order, so a parent precedes its replies.
type JSONLComment struct {
	Type          string      `json:"type"` // "comment"
	ID            string      `json:"id"`
	StoryURL      string      `json:"story_url"`
	ParentID      string      `json:"parent_id,omitempty"`
	Status        string      `json:"status"`
	Body          string      `json:"body"`
	HTML          string      `json:"html"`
	Author        JSONLAuthor `json:"author"`
	Reason        string      `json:"reason,omitempty"`
	ModeratorNote string      `json:"moderator_note,omitempty"`
	ModeratedBy   string      `json:"moderated_by,omitempty"`
	ModeratedAt   time.Time   `json:"moderated_at,omitzero"`
	CreatedAt     time.Time   `json:"created_at"`
	EditedAt      time.Time   `json:"edited_at,omitzero"`
}

// JSONLWriter writes a Parley export.
type JSONLWriter struct {
	w   *bufio.Writer
	enc *json.Encoder
}

// NewJSONLWriter writes the header line and returns a writer.
func NewJSONLWriter(w io.Writer, h JSONLHeader) (*JSONLWriter, error) {
	bw := bufio.NewWriterSize(w, 1<<16)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	h.Type, h.Format, h.Version = "header", "parley", JSONLVersion
	jw := &JSONLWriter{w: bw, enc: enc}
	return jw, jw.enc.Encode(h)
}

// Story writes a story line.
func (j *JSONLWriter) Story(s JSONLStory) error {
	s.Type = "story"
	return j.enc.Encode(s)
}

// Comment writes a comment line.
func (j *JSONLWriter) Comment(c JSONLComment) error {
	c.Type = "comment"
	return j.enc.Encode(c)
}

// Flush writes buffered lines.
func (j *JSONLWriter) Flush() error { return j.w.Flush() }

// jsonl decodes a Parley export.
type jsonl struct {
	l       *lineReader
	started bool
}

func newJSONL(r io.Reader) *jsonl {
	l, _ := newLineReader("parley", r) // an error only for a bad gzip header, which jsonl files do not have
	return &jsonl{l: l}
}

func (d *jsonl) Next() (Record, error) {
	if d.l == nil {
		return Record{}, &SyntaxError{Format: "parley", Msg: "bad gzip header"}
	}
	b, err := d.l.next()
	if err != nil {
		if err == io.EOF && !d.started {
			return Record{}, &SyntaxError{Format: "parley", Line: 1, Msg: "the file is empty"}
		}
		return Record{}, err
	}
	line := d.l.line
	var head struct {
		Type    string `json:"type"`
		Format  string `json:"format"`
		Version int    `json:"version"`
	}
	if err := json.Unmarshal(b, &head); err != nil {
		if !d.started {
			return Record{}, &SyntaxError{Format: "parley", Line: line, Msg: "not a Parley export: " + err.Error()}
		}
		return Record{Skip: &Skip{Line: line, Reason: "malformed JSON: " + err.Error()}}, nil
	}
	if !d.started {
		if head.Type != "header" || head.Format != "parley" {
			return Record{}, &SyntaxError{Format: "parley", Line: line, Msg: `not a Parley export: the first line is not {"type":"header","format":"parley",…}`}
		}
		if head.Version < 1 || head.Version > JSONLVersion {
			return Record{}, &SyntaxError{Format: "parley", Line: line, Msg: fmt.Sprintf("export schema version %d is not supported (this parley reads 1 to %d)", head.Version, JSONLVersion)}
		}
		d.started = true
		return d.Next()
	}
	switch head.Type {
	case "story":
		var s JSONLStory
		if err := json.Unmarshal(b, &s); err != nil {
			return Record{Skip: &Skip{Line: line, Reason: "malformed story: " + err.Error()}}, nil
		}
		return Record{Thread: &Thread{SourceID: s.URL, URL: s.URL, Title: s.Title, Closed: s.Closed, Mode: s.Mode, CreatedAt: s.CreatedAt.UTC(), Line: line}}, nil
	case "comment":
		var c JSONLComment
		if err := json.Unmarshal(b, &c); err != nil {
			return Record{Skip: &Skip{Line: line, Reason: "malformed comment: " + err.Error()}}, nil
		}
		st := State(c.Status)
		switch st {
		case StateApproved, StatePending, StateSpam, StateRejected:
		default:
			return Record{Skip: &Skip{Line: line, SourceID: c.ID, Reason: fmt.Sprintf("unknown status %q", c.Status)}}, nil
		}
		return Record{Comment: &Comment{SourceID: c.ID, ParleyID: c.ID, ThreadID: c.StoryURL, ParentID: c.ParentID,
			Markdown: c.Body, HTML: c.HTML, AuthorName: c.Author.Name, AuthorEmail: c.Author.Email, AuthorUserID: c.Author.UserID,
			AuthorKey: c.Author.Key, State: st, Reason: c.Reason, ModeratorNote: c.ModeratorNote, ModeratedBy: c.ModeratedBy,
			ModeratedAt: c.ModeratedAt.UTC(), CreatedAt: c.CreatedAt.UTC(), EditedAt: c.EditedAt.UTC(), Line: line}}, nil
	}
	return Record{Skip: &Skip{Line: line, Reason: fmt.Sprintf("unknown record type %q", strings.TrimSpace(head.Type))}}, nil
}
