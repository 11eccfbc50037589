package transfer

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

// FuzzImportDecoders feeds arbitrary bytes to every streamed import format
// (Disqus, WordPress WXR, remark42, Commento, Parley JSONL): a decoder may
// return records, skips and finally io.EOF or a *SyntaxError, and must
// never panic or loop.
func FuzzImportDecoders(f *testing.F) {
	streamed := []string{"disqus", "wordpress", "remark42", "commento", "parley"}
	for i, s := range []string{
		`<?xml version="1.0"?><disqus><thread dsq:id="1"><link>https://a.example/x</link><title>T</title></thread><post dsq:id="2"><message><![CDATA[<p>hi</p>]]></message><thread dsq:id="1"/><author><name>A</name></author><createdAt>2020-01-01T00:00:00Z</createdAt></post></disqus>`,
		`<rss><channel><item><link>https://a.example/p</link><title>P</title><wp:comment><wp:comment_id>1</wp:comment_id><wp:comment_content>Hi</wp:comment_content><wp:comment_approved>1</wp:comment_approved><wp:comment_date_gmt>2020-01-01 00:00:00</wp:comment_date_gmt></wp:comment></item></channel></rss>`,
		`{"version":1,"users":[],"posts":[]}` + "\n" + `{"id":"1","pid":"","text":"<p>hi</p>","user":{"name":"A","id":"u"},"locator":{"site":"s","url":"https://a.example/x"},"time":"2020-01-01T00:00:00Z"}`,
		`{"version":1,"comments":[{"commentHex":"a","domain":"a.example","path":"/x","commenterHex":"c","markdown":"hi","html":"<p>hi</p>","parentHex":"root","state":"approved","creationDate":"2020-01-01T00:00:00Z"}],"commenters":[]}`,
		`{"type":"comment","story_url":"https://a.example/x","body":"hi","author_name":"A","created_at":"2020-01-01T00:00:00Z","state":"approved"}`,
	} {
		f.Add(uint8(i), []byte(s))
	}
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		format := streamed[int(which)%len(streamed)]
		d, err := NewDecoder(format, bytes.NewReader(data), Options{BaseURL: "https://a.example"})
		if err != nil {
			return // refused up front (a header that is not this format)
		}
		for n := 0; ; n++ {
			if n > len(data)+10 {
				t.Fatalf("%s: more records than input bytes", format)
			}
			_, err := d.Next()
			if err == nil {
				continue
			}
			var se *SyntaxError
			if errors.Is(err, io.EOF) || errors.As(err, &se) {
				return
			}
			t.Fatalf("%s: an error that is neither io.EOF nor *SyntaxError: %T %v", format, err, err)
		}
	})
}
