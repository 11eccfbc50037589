// Package transfer reads and writes comment archives: the Disqus XML export,
// WordPress WXR, remark42 backups, Isso databases, Commento JSON exports and
// Parley's own JSON lines format (see docs/migrate.md).
//
// Every decoder turns its format into one stream of Records: threads and
// comments as the source stored them (source IDs, source HTML or markdown,
// source state). Package transfer does no policy: service.Import maps the
// stream onto stories and comments, sanitizes the text, and writes it.
// Decoders stream: memory does not grow with the size of the file.
package transfer

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// State is a comment's moderation state in its source system.
type State string

// Source states. Deleted comments are counted by the importer but never
// imported.
const (
	StateApproved State = "approved"
	StatePending  State = "pending"
	StateSpam     State = "spam"
	StateRejected State = "rejected" // only Parley's own format has it
	StateDeleted  State = "deleted"
)

// Thread is one source thread: a page that has comments.
type Thread struct {
	// SourceID is the thread's ID in the source; comments refer to it. Formats
	// that name threads by URL only (remark42, Isso, Commento) use the URL.
	SourceID  string
	URL       string
	Title     string
	Closed    bool
	Mode      string    // Parley's per-story moderation mode; "" elsewhere
	CreatedAt time.Time // zero when the source does not say
	Line      int       // where the thread starts in the file (0 when unknown)
}

// Comment is one source comment.
type Comment struct {
	SourceID string // "" when the source record has none: the importer skips it
	ThreadID string // Thread.SourceID of its thread
	ParentID string // SourceID of the comment it replies to; "" for top-level
	// Exactly one of HTML and Markdown is the text: HTML for sources that
	// store HTML (Disqus, WordPress, remark42), Markdown for sources that
	// store markdown (Isso, Commento, Parley).
	HTML     string
	Markdown string

	AuthorName   string
	AuthorEmail  string
	AuthorUserID string // the source's user ID or username; "" for anonymous guests
	AuthorIP     string
	CreatedAt    time.Time // UTC
	State        State

	// Parley's own format carries its decisions and identity.
	ParleyID      string
	AuthorKey     string
	Reason        string
	ModeratorNote string
	ModeratedBy   string
	ModeratedAt   time.Time
	EditedAt      time.Time

	Line int // where the record starts in the file (line number)
}

// Skip is a record the decoder could read past but not use: a malformed
// record, or one of a kind that is never imported (pingbacks). Decoding
// continues after it.
type Skip struct {
	Line     int
	SourceID string
	Reason   string
}

// Record is one item of a decoded stream: exactly one field is set.
type Record struct {
	Thread  *Thread
	Comment *Comment
	Skip    *Skip
}

// Decoder reads records. Next returns io.EOF after the last record. Any
// other error is fatal (the file is malformed or truncated) and is a
// *SyntaxError with the position.
type Decoder interface {
	Next() (Record, error)
}

// SyntaxError is a fatal decoding error at a position in the file.
type SyntaxError struct {
	Format string
	Line   int
	Msg    string
}

func (e *SyntaxError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s: line %d: %s", e.Format, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.Format, e.Msg)
}

// Options configure decoders.
type Options struct {
	// BaseURL turns the site-relative URIs of Isso and Commento into story
	// URLs, for example https://news.example. Commento records carry their
	// domain and use https://<domain> when BaseURL is empty.
	BaseURL string
}

// Formats lists the formats Open and NewDecoder accept.
var Formats = []string{"disqus", "wordpress", "remark42", "isso", "commento", "parley"}

// NewDecoder returns a decoder for a streamed format (every format except
// isso, which is a database file: use Open).
func NewDecoder(format string, r io.Reader, o Options) (Decoder, error) {
	switch format {
	case "disqus":
		return newDisqus(r), nil
	case "wordpress", "wxr":
		return newWXR(r), nil
	case "remark42":
		return newRemark42(r)
	case "commento":
		return newCommento(r, o)
	case "parley", "jsonl":
		return newJSONL(r), nil
	case "isso":
		return nil, errors.New("isso: an Isso database must be opened from a file")
	}
	return nil, fmt.Errorf("unknown format %q (known: %s)", format, strings.Join(Formats, ", "))
}

// Open opens the file at path in format and returns a decoder and a
// function that closes the file.
func Open(format, path string, o Options) (Decoder, func() error, error) {
	if format == "isso" {
		return openIsso(path, o)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	d, err := NewDecoder(format, f, o)
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return d, f.Close, nil
}

// parseTime parses the time layouts the supported formats use and returns
// it in UTC.
func parseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006-01-02 15:04:05Z07:00"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("bad time %q", s)
}
