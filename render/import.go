package render

import (
	"strings"

	"golang.org/x/net/html"
)

// SanitizeHTML cleans HTML written by another comment system (an import)
// with the same allowlist as rendered markdown: scripts, styles, images,
// event handlers and unsafe URLs go; links keep rel="nofollow ugc noopener".
func (r *Renderer) SanitizeHTML(src string) string {
	return fixRel(r.policy.Sanitize(src))
}

// Text returns the readable text of sanitized HTML: paragraphs and line
// breaks become newlines, a link's URL follows its text when they differ,
// and entities are decoded. It is the stored markdown source (Body) of an
// imported comment, which the classifier, the duplicate index and editors
// see.
func Text(src string) string {
	z := html.NewTokenizer(strings.NewReader(src))
	var b strings.Builder
	var href []string
	newline := func(n int) {
		s := b.String()
		have := len(s) - len(strings.TrimRight(s, "\n"))
		if len(strings.TrimSpace(s)) == 0 {
			return
		}
		for ; have < n; have++ {
			b.WriteByte('\n')
		}
	}
	var linkText strings.Builder
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return strings.TrimSpace(b.String())
		case html.TextToken:
			t := string(z.Text())
			b.WriteString(t)
			if len(href) > 0 {
				linkText.WriteString(t)
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			switch string(name) {
			case "br":
				b.WriteByte('\n')
			case "p", "blockquote", "ul", "ol", "pre", "div":
				newline(2)
			case "li":
				newline(1)
				b.WriteString("- ")
			case "a":
				h := ""
				for hasAttr {
					var k, v []byte
					k, v, hasAttr = z.TagAttr()
					if string(k) == "href" {
						h = string(v)
					}
				}
				href = append(href, h)
				linkText.Reset()
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			switch string(name) {
			case "p", "blockquote", "ul", "ol", "pre", "div":
				newline(2)
			case "a":
				if n := len(href); n > 0 {
					h := href[n-1]
					href = href[:n-1]
					if h != "" && strings.TrimSpace(linkText.String()) != h && !strings.HasPrefix(h, "mailto:") {
						b.WriteString(" (" + h + ")")
					}
				}
			}
		}
	}
}
