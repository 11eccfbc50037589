package spamcheck

import (
	"strings"
	"testing"

	"github.com/parley-comments/parley"
)

func TestCountLinks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want int
	}{
		{"none", "Just an opinion about the budget.", 0},
		{"empty", "", 0},
		{"bare https", "see https://example.com/a?b=c for more", 1},
		{"bare http and ftp", "http://a.example and ftp://files.example/x", 2},
		{"www form", "go to www.example.com now", 1},
		{"www with path", "www.example.co.uk/path?x=1", 1},
		{"www needs a dot-separated host", "the www. prefix is old", 0},
		{"markdown link", "read [this](https://example.com)", 1},
		{"markdown link whose text is the url counts once", "[https://a.example](https://a.example)", 1},
		{"markdown link with title", `[x](https://a.example "title")`, 1},
		{"relative markdown link", "[home](/)", 1},
		{"image", "![pic](https://img.example/a.png)", 1},
		{"autolink", "<https://example.com>", 1},
		{"reference link definition", "see [docs][1]\n\n[1]: https://docs.example", 1},
		{"scheme url containing www counts once", "https://www.example.com", 1},
		{"repeated url counts every time", strings.Repeat("https://spam.example ", 5), 5},
		{"mixed", "a https://x.example b [c](http://y.example) d www.z.example e", 3},
		{"plain domain is not linkified", "example.com is a domain", 0},
		{"scheme alone is not a link", "https:// is how URLs start", 0},
		{"uppercase", "HTTPS://EXAMPLE.COM and WWW.EXAMPLE.ORG", 2},
		{"brackets without target", "[not a link] (really)", 0},
		{"cyrillic text", "Подробнее: https://пример.рф/статья", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CountLinks(tt.in); got != tt.want {
				t.Errorf("CountLinks(%q) = %d, want %d", tt.in, got, tt.want)
			}
		})
	}
}

func TestMinComposeFor(t *testing.T) {
	t.Parallel()
	tests := []struct {
		body string
		want int64
	}{
		{"+1", ShortComposeMillis + 2*ComposeMillisPerRune},
		{"  Thank you!  ", ShortComposeMillis + 10*ComposeMillisPerRune},
		{"Շնորհակալություն", ShortComposeMillis + 16*ComposeMillisPerRune},
		{strings.Repeat("long text ", 100), MinComposeMillis},
		{"", ShortComposeMillis},
	}
	for _, tt := range tests {
		if got := MinComposeFor(tt.body); got != tt.want {
			t.Errorf("MinComposeFor(%q) = %d, want %d", tt.body, got, tt.want)
		}
	}
}

func kinds(sigs []parley.SpamSignal) string {
	var k []string
	for _, s := range sigs {
		k = append(k, s.Kind)
	}
	return strings.Join(k, ",")
}

func TestCheck(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("A considered paragraph about the election. ", 10)
	tests := []struct {
		name       string
		in         Input
		want       string
		wantDetail []string // substrings of the details, in order
	}{
		{"clean", Input{Body: long, ComposeMillis: 60000}, "", nil},
		{"unknown compose time is not held", Input{Body: long}, "", nil},
		{"honeypot", Input{Body: "hi there", Honeypot: "http://buy.example", ComposeMillis: 9000}, "honeypot",
			[]string{`"http://buy.example"`}},
		{"whitespace-only honeypot is empty", Input{Body: "hi there", Honeypot: " \n"}, "", nil},
		{"bot speed on a long comment", Input{Body: long, ComposeMillis: 150}, "too_fast",
			[]string{"150 ms", "2000 ms"}},
		{"pasted long comment in 2.5 s is fine", Input{Body: long, ComposeMillis: 2500}, "", nil},
		{"quick +1 typed in a second is fine", Input{Body: "+1", ComposeMillis: 1000}, "", nil},
		{"+1 in 300 ms is too fast", Input{Body: "+1", ComposeMillis: 300}, "too_fast",
			[]string{"300 ms", "880 ms", "2-character"}},
		{"links over default limit", Input{Body: "https://a.example https://b.example https://c.example https://d.example"}, "links",
			[]string{"4 links", "at most 3"}},
		{"links at the limit", Input{Body: "https://a.example https://b.example https://c.example"}, "", nil},
		{"site limit", Input{Body: "https://a.example https://b.example", MaxLinks: 1}, "links",
			[]string{"2 links", "at most 1"}},
		{"everything", Input{Body: "www.a.example www.b.example", Honeypot: "x", ComposeMillis: 10, MaxLinks: 1},
			"honeypot,too_fast,links", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Check(tt.in)
			if kinds(got) != tt.want {
				t.Fatalf("Check kinds = %q, want %q (%v)", kinds(got), tt.want, got)
			}
			for _, sub := range tt.wantDetail {
				if d := got[0].Detail; !strings.Contains(d, sub) {
					t.Errorf("detail %q lacks %q", d, sub)
				}
			}
			for _, s := range got {
				if s.Detail == "" {
					t.Errorf("signal %s has no detail", s.Kind)
				}
			}
		})
	}
}

func TestHoneypotDetailIsShortAndSafe(t *testing.T) {
	t.Parallel()
	got := Check(Input{Body: "x", Honeypot: strings.Repeat("é", 500) + "\x00\xff"})
	if len(got) != 1 || got[0].Kind != KindHoneypot {
		t.Fatalf("got %v", got)
	}
	if n := len([]rune(got[0].Detail)); n > 200 {
		t.Errorf("detail is %d runes long, want a short excerpt", n)
	}
}

func FuzzCountLinks(f *testing.F) {
	f.Add("[a](https://b.example) www.c.example https://d.example")
	f.Add("[x]: y\n![i](j)")
	f.Fuzz(func(t *testing.T, s string) {
		n := CountLinks(s)
		if n < 0 || n > len(s) {
			t.Fatalf("CountLinks(%q) = %d", s, n)
		}
		// Appending a plain bare URL on its own line adds exactly one link.
		if m := CountLinks(s + "\n https://fuzz.example \n"); m != n+1 {
			t.Fatalf("appending a URL changed count from %d to %d for %q", n, m, s)
		}
	})
}
