package transfer

import (
	"bytes"
	"io"
	"testing"
	"time"
)

// TestWXRWriterRoundTrip writes a story whose comment text contains "]]>"
// and markup, and reads it back with the WordPress decoder.
func TestWXRWriterRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	w, err := NewWXRWriter(&buf, "News & more", "https://news.example")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	w.Story(JSONLStory{URL: "https://news.example/a?x=1&y=2", Title: "A <b>title</b>", Closed: true, CreatedAt: at})
	w.Comment(JSONLComment{ID: "p", Status: "approved", HTML: "<p>a ]]> b</p>", Author: JSONLAuthor{Name: "Ann", Email: "ann@example.org"}, CreatedAt: at})
	w.Comment(JSONLComment{ID: "c", ParentID: "p", Status: "spam", HTML: "<p>Привет</p>", Author: JSONLAuthor{Name: "Bob"}, CreatedAt: at.Add(time.Minute)})
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	d, err := NewDecoder("wordpress", &buf, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var recs []Record
	for {
		r, err := d.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%v\n%s", err, buf.String())
		}
		recs = append(recs, r)
	}
	if len(recs) != 3 || recs[0].Thread == nil || recs[0].Thread.URL != "https://news.example/a?x=1&y=2" || !recs[0].Thread.Closed || recs[0].Thread.Title != "A <b>title</b>" {
		t.Fatalf("records: %+v", recs)
	}
	p, c := recs[1].Comment, recs[2].Comment
	if p.HTML != "<p>a ]]> b</p>" || p.State != StateApproved || p.AuthorEmail != "ann@example.org" || !p.CreatedAt.Equal(at) {
		t.Errorf("parent: %+v", p)
	}
	if c.ParentID != p.SourceID || c.State != StateSpam || c.HTML != "<p>Привет</p>" {
		t.Errorf("reply: %+v", c)
	}
}
