package modui

import (
	"html"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/parley-comments/parley"
)

func name(l parley.Label) string { return "<" + string(l) + ">" }

func TestHighlight(t *testing.T) {
	t.Parallel()
	cases := []struct {
		text string
		ev   []parley.Evidence
		want string
	}{
		{"plain <b>", nil, "plain &lt;b&gt;"},
		{"You idiot!", []parley.Evidence{{Start: 4, End: 9, Label: "personal_attack"}},
			`You <mark class="ev" data-labels="personal_attack" title="&lt;personal_attack&gt;">idiot</mark>!`},
		// Overlapping spans with the same label merge; different labels split.
		{"Shut up, you", []parley.Evidence{{Start: 0, End: 7, Label: "personal_attack"}, {Start: 0, End: 4, Label: "personal_attack"}},
			`<mark class="ev" data-labels="personal_attack" title="&lt;personal_attack&gt;">Shut up</mark>, you`},
		{"abcdef", []parley.Evidence{{Start: 0, End: 4, Label: "toxic"}, {Start: 2, End: 6, Label: "spam"}},
			`<mark class="ev" data-labels="toxic" title="&lt;toxic&gt;">ab</mark><mark class="ev" data-labels="spam toxic" title="&lt;spam&gt;, &lt;toxic&gt;">cd</mark><mark class="ev" data-labels="spam" title="&lt;spam&gt;">ef</mark>`},
		// Out of range and empty spans are dropped.
		{"abc", []parley.Evidence{{Start: -1, End: 2, Label: "toxic"}, {Start: 1, End: 9, Label: "toxic"}, {Start: 2, End: 2, Label: "toxic"}}, "abc"},
		// Offsets inside a UTF-8 sequence widen to the whole character.
		{"ты дурак", []parley.Evidence{{Start: 6, End: 8, Label: "toxic"}},
			`ты <mark class="ev" data-labels="toxic" title="&lt;toxic&gt;">ду</mark>рак`},
		// A label cannot inject markup.
		{"xy", []parley.Evidence{{Start: 0, End: 1, Label: `"><script>`}},
			`<mark class="ev" data-labels="&#34;&gt;&lt;script&gt;" title="&lt;&#34;&gt;&lt;script&gt;&gt;">x</mark>y`},
	}
	for _, c := range cases {
		if got := string(Highlight(c.text, c.ev, name)); got != c.want {
			t.Errorf("Highlight(%q, %v)\n got %s\nwant %s", c.text, c.ev, got, c.want)
		}
	}
}

var markTag = regexp.MustCompile(`<mark class="ev" data-labels="[^"<>]*" title="[^"<>]*">|</mark>`)

// FuzzHighlight checks that the output is the escaped input plus mark tags
// and nothing else, for any text and any spans.
func FuzzHighlight(f *testing.F) {
	f.Add("You <b>idiot</b> & more", 4, 16, 0, 3)
	f.Add("ты дурак", 6, 8, 1, 100)
	f.Add("", 0, 0, 0, 0)
	f.Fuzz(func(t *testing.T, text string, s1, e1, s2, e2 int) {
		if !utf8.ValidString(text) {
			return
		}
		ev := []parley.Evidence{{Start: s1, End: e1, Label: "toxic"}, {Start: s2, End: e2, Label: "spam"}}
		out := string(Highlight(text, ev, func(l parley.Label) string { return string(l) }))
		plain := markTag.ReplaceAllString(out, "")
		if strings.ContainsAny(plain, "<>\"") {
			t.Fatalf("unescaped markup in %q", out)
		}
		// html/template's escaper turns NUL into U+FFFD; nothing else changes.
		if html.UnescapeString(plain) != strings.ReplaceAll(text, "\x00", "\uFFFD") {
			t.Fatalf("text changed: %q -> %q", text, plain)
		}
		if !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 in %q", out)
		}
	})
}
