package xsscheck

import (
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// TestXSSCheckersCatchBadMarkup: each checker finds what it looks for, and
// passes what Parley legitimately produces.
func TestXSSCheckersCatchBadMarkup(t *testing.T) {
	t.Parallel()
	for _, h := range []string{`<img src=x onerror=alert(1)>`, `<a href="java&#x09;script:alert(1)">x</a>`, `<p onclick=x>t</p>`,
		`<script>alert(1)</script>`, `<!-- x -->`, `<a href=" JaVaScRiPt:alert(1)">x</a>`} {
		if len(CommentProblems(h)) == 0 {
			t.Errorf("comment check missed %q", h)
		}
		doc, _ := html.Parse(strings.NewReader("<p>" + h + "</p>"))
		if h != `<!-- x -->` && len(PageProblems(doc)) == 0 {
			t.Errorf("page check missed %q", h)
		}
		if len(EmailHTMLProblems("<p>"+h+"</p>", "ours.example")) == 0 {
			t.Errorf("email check missed %q", h)
		}
	}
	if p := CommentProblems(`<p><a href="https://ok.example" rel="nofollow ugc noopener" target="_blank">ok</a> <em>x</em></p>`); len(p) != 0 {
		t.Errorf("a safe comment flagged: %v", p)
	}
	// Emails: links only to our hosts, no images or styles that load.
	for _, h := range []string{`<a href="https://evil.example/x">x</a>`, `<img src="https://ours.example/i.png">`, `<a href="data:text/html,x">x</a>`,
		`<p style="background: url(https://t.example/)">x</p>`, `<form action="https://ours.example/"></form>`, `<style>p{}</style>`} {
		if len(EmailHTMLProblems(h, "ours.example")) == 0 {
			t.Errorf("email check missed %q", h)
		}
	}
	if p := EmailHTMLProblems(`<div style="color: #111"><p>Hi <a href="https://ours.example/n/x" rel="nofollow noreferrer">https://ours.example/n/x</a></p><blockquote>q<br>r</blockquote><hr></div>`, "ours.example"); len(p) != 0 {
		t.Errorf("a safe email flagged: %v", p)
	}
	for _, text := range []string{"Hello\nUnsubscribe here: https://ours.example/x\n", "Read it: https://evil.example/x\n", "Ok.\n\nClick: http://evil.example\n"} {
		if len(EmailTextProblems(text, "ours.example")) == 0 {
			t.Errorf("text check missed %q", text)
		}
	}
	if p := EmailTextProblems("Ana replied:\n\n> a\n> https://evil.example\n\nRead it: https://ours.example/s#c\n\n-- \nWhy.\n\nStop: https://ours.example/u\n", "ours.example"); len(p) != 0 {
		t.Errorf("a safe text part flagged: %v", p)
	}
	// Webhooks.
	for _, b := range []string{`{"comment":{"html":"\u003cimg src=x onerror=alert(1)\u003e"}}`, `{"x":"<b>"}`, `{"a":`,
		`{"audience":"public","comment":{"pending_text":"secret"}}`, `{"audience":"public","comment":{"author":{"name":"A","email":"a@b"}}}`} {
		if len(WebhookProblems([]byte(b))) == 0 {
			t.Errorf("webhook check missed %s", b)
		}
	}
	if p := WebhookProblems([]byte(`{"audience":"public","comment":{"id":"1","html":"\u003cp\u003eok\u003c/p\u003e","author":{"name":"A"}}}`)); len(p) != 0 {
		t.Errorf("a safe delivery flagged: %v", p)
	}
	if n := len(Corpus(t)); n < 100 {
		t.Errorf("corpus %d", n)
	}
}
