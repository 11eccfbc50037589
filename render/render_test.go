package render

import (
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/net/html"
)

func TestHTML(t *testing.T) {
	t.Parallel()
	r := New()
	tests := []struct {
		name, in string
		want     []string // substrings that must appear
		notWant  []string // substrings that must not appear
	}{
		{"paragraph", "hello world", []string{"<p>hello world</p>"}, nil},
		{"emphasis", "*a* **b** ~~c~~", []string{"<em>a</em>", "<strong>b</strong>", "<del>c</del>"}, nil},
		{"link", "[x](https://example.com/a)", []string{`href="https://example.com/a"`, `rel="nofollow ugc noopener"`, `target="_blank"`}, nil},
		{"autolink", "see https://example.com", []string{`<a href="https://example.com"`, `rel="nofollow ugc noopener"`}, nil},
		{"quote", "> quoted", []string{"<blockquote>"}, nil},
		{"list", "- a\n- b", []string{"<ul>", "<li>a</li>"}, nil},
		{"ordered", "3. a\n4. b", []string{`<ol start="3">`}, nil},
		{"code", "`x<y`", []string{"<code>x&lt;y</code>"}, nil},
		{"fenced", "```\nfoo()\n```", []string{"<pre><code>foo()"}, nil},
		{"raw html dropped", "<script>alert(1)</script><b>bold</b>", nil, []string{"<script", "alert(1)</script", "<b>"}},
		{"image becomes alt", "![alt text](https://evil.example/x.png)", []string{"alt text"}, []string{"<img", "evil.example"}},
		{"heading becomes paragraph", "# Big", []string{"<p>Big</p>"}, []string{"<h1"}},
		{"javascript link", "[x](javascript:alert(1))", nil, []string{"javascript:"}},
		{"data link", "[x](data:text/html;base64,PHNjcmlwdD4=)", nil, []string{"data:"}},
		{"event handler", `<a href="#" onclick="x()">y</a>`, nil, []string{"onclick"}},
		{"style", `<p style="color:red">x</p>`, nil, []string{"style="}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := r.HTML(tt.in)
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("HTML(%q) = %q, want it to contain %q", tt.in, got, w)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(got, w) {
					t.Errorf("HTML(%q) = %q, must not contain %q", tt.in, got, w)
				}
			}
		})
	}
}

func FuzzHTML(f *testing.F) {
	for _, s := range []string{"hi", "<script>x</script>", "[a](javascript:x)", "![i](http://x/y.png)", "> *a* `b`", "<img src=x onerror=alert(1)>", "<a href='http://x' onmouseover=y>z</a>"} {
		f.Add(s)
	}
	r := New()
	f.Fuzz(func(t *testing.T, in string) {
		out := r.HTML(in)
		if !utf8.ValidString(out) && utf8.ValidString(in) {
			t.Fatalf("invalid UTF-8 output for valid input %q", in)
		}
		low := strings.ToLower(out)
		if attr, ok := scriptURLAttr(out); ok {
			t.Fatalf("output %q has a script URL in %s (input %q)", out, attr, in)
		}
		for _, bad := range []string{"<script", "<img", "<iframe", "<style", " on", "<svg", "<object", "<embed", "style="} {
			if bad == " on" {
				// Attributes starting with "on" inside a tag.
				if strings.Contains(low, "<") && containsEventAttr(low) {
					t.Fatalf("event handler in output %q (input %q)", out, in)
				}
				continue
			}
			if strings.Contains(low, bad) {
				t.Fatalf("output %q contains %q (input %q)", out, bad, in)
			}
		}
	})
}

// scriptURLAttr parses s and reports the first attribute whose value is a
// javascript:, vbscript: or data: URL. "javascript:" as text is harmless.
func scriptURLAttr(s string) (string, bool) {
	z := html.NewTokenizer(strings.NewReader(s))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return "", false
		case html.StartTagToken, html.SelfClosingTagToken:
			for _, a := range z.Token().Attr {
				v := strings.ToLower(strings.Join(strings.Fields(a.Val), ""))
				for _, scheme := range []string{"javascript:", "vbscript:", "data:"} {
					if strings.HasPrefix(v, scheme) {
						return a.Key, true
					}
				}
			}
		}
	}
}

// containsEventAttr reports whether any tag in s carries an on* attribute.
func containsEventAttr(s string) bool {
	for {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			return false
		}
		j := strings.IndexByte(s[i:], '>')
		if j < 0 {
			return false
		}
		tag := s[i : i+j]
		for _, part := range strings.Fields(tag)[1:] {
			if strings.HasPrefix(part, "on") {
				return true
			}
		}
		s = s[i+j:]
	}
}
