package render

import (
	"strings"
	"testing"
)

func TestSanitizeHTMLAndText(t *testing.T) {
	r := New()
	in := `<p>Hi <b>there</b> &amp; caf&eacute;</p><script>alert(1)</script><img src=x onerror=alert(2)>` +
		`<p><a href="https://example.org/x" onclick="steal()">the data</a> and <a href="javascript:alert(3)">bad</a></p>` +
		`<ul><li>one</li><li>Երկու</li></ul><blockquote>quoted<br>line</blockquote><style>p{}</style>`
	h := r.SanitizeHTML(in)
	for _, bad := range []string{"<script", "alert(", "<img", "onerror", "onclick", "javascript:", "<style", "<b>"} {
		if strings.Contains(h, bad) {
			t.Errorf("SanitizeHTML kept %q: %s", bad, h)
		}
	}
	if !strings.Contains(h, `rel="nofollow ugc noopener"`) || !strings.Contains(h, `href="https://example.org/x"`) {
		t.Errorf("link: %s", h)
	}
	if again := r.SanitizeHTML(h); again != h {
		t.Errorf("not a fixed point:\n%s\n%s", h, again)
	}
	want := "Hi there & café\n\nthe data (https://example.org/x) and bad\n\n- one\n- Երկու\n\nquoted\nline"
	if got := Text(h); got != want {
		t.Errorf("Text = %q, want %q", got, want)
	}
}
