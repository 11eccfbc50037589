// Package xsscheck is for tests: it loads the stored-XSS corpus
// (testdata/xss/corpus.txt) and checks what Parley's outputs make of it by
// parsing them (golang.org/x/net/html, encoding/json), never with regular
// expressions over markup.
//
// Each checker returns a list of problems, empty when the output is safe:
// CommentProblems for a comment's rendered HTML (the widget, webhook
// payloads), PageProblems for a dashboard page, EmailHTMLProblems and
// EmailTextProblems for the two parts of an email, and WebhookProblems for
// a webhook delivery's JSON body.
package xsscheck

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Corpus reads testdata/xss/corpus.txt: one Go string literal per line; #
// starts a comment. It fails the test if the corpus has fewer than 100
// payloads.
func Corpus(tb testing.TB) []string {
	tb.Helper()
	_, file, _, _ := runtime.Caller(0)
	f, err := os.Open(filepath.Join(filepath.Dir(file), "..", "..", "testdata", "xss", "corpus.txt"))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		p, err := strconv.Unquote(line)
		if err != nil {
			tb.Fatalf("corpus line %d: %v", n, err)
		}
		out = append(out, p)
	}
	if len(out) < 100 {
		tb.Fatalf("the corpus has %d payloads, want at least 100", len(out))
	}
	return out
}

// commentElements and commentAttrs are what the renderer may produce.
var (
	commentElements = map[atom.Atom]bool{atom.P: true, atom.Br: true, atom.Em: true, atom.Strong: true, atom.Del: true,
		atom.Blockquote: true, atom.Ul: true, atom.Ol: true, atom.Li: true, atom.Code: true, atom.Pre: true, atom.A: true}
	commentAttrs = map[string]bool{"a.href": true, "a.rel": true, "a.target": true, "ol.start": true}
)

// CommentProblems parses a comment's HTML as a fragment and checks every
// element and attribute against the renderer's allowlist.
func CommentProblems(h string) []string {
	ctx := &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div}
	nodes, err := html.ParseFragment(strings.NewReader(h), ctx)
	if err != nil {
		return []string{err.Error()}
	}
	var out []string
	for _, n := range nodes {
		Walk(n, func(n *html.Node) {
			switch n.Type {
			case html.ElementNode:
				if !commentElements[n.DataAtom] {
					out = append(out, fmt.Sprintf("element <%s> in %q", n.Data, h))
				}
				for _, a := range n.Attr {
					if !commentAttrs[n.Data+"."+a.Key] {
						out = append(out, fmt.Sprintf("attribute %s on <%s> in %q", a.Key, n.Data, h))
					}
					if a.Key == "href" && !SafeURL(a.Val, "http:", "https:", "mailto:") {
						out = append(out, fmt.Sprintf("href %q", a.Val))
					}
				}
			case html.CommentNode:
				out = append(out, fmt.Sprintf("an HTML comment in %q", h))
			}
		})
	}
	return out
}

// PageProblems checks a dashboard page: scripts only from the dashboard's
// own static files (or its JSON data block), no event handlers, no
// dangerous URLs, no frames, objects, base or refresh.
func PageProblems(doc *html.Node) []string {
	var out []string
	Walk(doc, func(n *html.Node) {
		if n.Type != html.ElementNode {
			return
		}
		switch n.DataAtom {
		case atom.Script:
			if src := attr(n, "src"); !strings.HasPrefix(src, "/moderation/static/") && attr(n, "type") != "application/json" {
				out = append(out, fmt.Sprintf("a <script> (src %q)", src))
			}
		case atom.Iframe, atom.Frame, atom.Object, atom.Embed, atom.Base, atom.Applet:
			out = append(out, fmt.Sprintf("a <%s>", n.Data))
		case atom.Meta:
			if strings.EqualFold(attr(n, "http-equiv"), "refresh") {
				out = append(out, "a meta refresh")
			}
		}
		out = append(out, attrProblems(n)...)
	})
	return out
}

// attrProblems finds event handlers, dangerous URLs and style tricks in
// n's attributes.
func attrProblems(n *html.Node) []string {
	var out []string
	for _, a := range n.Attr {
		k := strings.ToLower(a.Key)
		switch {
		case strings.HasPrefix(k, "on"):
			out = append(out, fmt.Sprintf("event handler %s=%q on <%s>", a.Key, a.Val, n.Data))
		case k == "href" || k == "src" || k == "action" || k == "formaction" || k == "xlink:href" || k == "data" || k == "srcset" || k == "background" || k == "poster":
			if !SafeURL(a.Val, "http:", "https:", "mailto:") {
				out = append(out, fmt.Sprintf("%s=%q on <%s>", a.Key, a.Val, n.Data))
			}
		case k == "style" && (strings.Contains(strings.ToLower(a.Val), "expression(") || strings.Contains(strings.ToLower(a.Val), "url(")):
			out = append(out, fmt.Sprintf("style %q", a.Val))
		}
	}
	return out
}

// emailElements are what an email's HTML part may hold (the parser adds
// html, head and body).
var emailElements = map[atom.Atom]bool{atom.Html: true, atom.Head: true, atom.Body: true, atom.P: true, atom.Br: true,
	atom.Strong: true, atom.Em: true, atom.Blockquote: true, atom.Div: true, atom.Span: true, atom.Hr: true, atom.A: true}

// EmailHTMLProblems parses an email's HTML part: only the email policy's
// elements, no script, style element, image, form or frame, no event
// handler, and links (href) only over http(s) to one of hosts.
func EmailHTMLProblems(h string, hosts ...string) []string {
	doc, err := html.Parse(strings.NewReader(h))
	if err != nil {
		return []string{err.Error()}
	}
	var out []string
	Walk(doc, func(n *html.Node) {
		switch n.Type {
		case html.ElementNode:
			if !emailElements[n.DataAtom] {
				out = append(out, fmt.Sprintf("element <%s>", n.Data))
			}
			out = append(out, attrProblems(n)...)
			for _, a := range n.Attr {
				switch a.Key {
				case "style", "rel":
				case "href":
					if n.DataAtom != atom.A || !ourLink(a.Val, hosts) {
						out = append(out, fmt.Sprintf("a link to %q, not to %v", a.Val, hosts))
					}
				default:
					out = append(out, fmt.Sprintf("attribute %s on <%s>", a.Key, n.Data))
				}
			}
		case html.CommentNode:
			out = append(out, "an HTML comment")
		}
	})
	return out
}

// EmailTextProblems checks an email's plain-text part: someone's text is
// only ever inside "> " quotation lines, so it cannot add a paragraph (a
// fake link or footer); every other paragraph is one line, or a line and
// one of our links under it; and a paragraph that ends with a link (the
// template's links do) links to one of hosts. (A name that is itself a URL
// stays text in both parts, but some mail clients make links of such
// text; that is not checked here.)
func EmailTextProblems(text string, hosts ...string) []string {
	var out []string
	prev := ""
	for _, line := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		quoted := strings.HasPrefix(line, "> ")
		if line != "" && !quoted && line != "-- " && prev != "" && !strings.HasPrefix(prev, "> ") && prev != "-- " && !ourLink(line, hosts) {
			out = append(out, fmt.Sprintf("a paragraph of two lines: %q then %q", prev, line))
		}
		if !quoted {
			f := strings.Fields(line)
			if len(f) > 0 {
				// A template's link ends its line; a person's words (a
				// name, a title) sit inside a sentence, before
				// punctuation.
				last := f[len(f)-1]
				l := strings.ToLower(last)
				if (strings.HasPrefix(l, "http:") || strings.HasPrefix(l, "https:")) && !strings.ContainsAny(l[len(l)-1:], ".,;:!?\"')”»") && !ourLink(last, hosts) {
					out = append(out, fmt.Sprintf("a link to %q, not to %v", last, hosts))
				}
			}
		}
		prev = line
	}
	return out
}

// ourLink reports whether u is an http(s) URL on one of hosts.
func ourLink(u string, hosts []string) bool {
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.User != nil {
		return false
	}
	for _, h := range hosts {
		if strings.EqualFold(p.Host, h) {
			return true
		}
	}
	return false
}

// WebhookProblems checks one webhook delivery body: valid JSON; no raw
// "<", ">" or "&" (Go's encoder escapes them, so the body is safe inside an
// HTML script block); comment.html within the renderer's allowlist; and
// for public-facing deliveries no field outside the documented public
// ones.
func WebhookProblems(body []byte) []string {
	if !json.Valid(body) {
		return []string{fmt.Sprintf("invalid JSON: %q", body)}
	}
	var out []string
	if i := strings.IndexAny(string(body), "<>&"); i >= 0 {
		out = append(out, fmt.Sprintf("an unescaped %q in the body", body[i]))
	}
	var env struct {
		Audience string
		Comment  map[string]any
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return append(out, err.Error())
	}
	for _, k := range []string{"html", "pending_html"} {
		if h, ok := env.Comment[k].(string); ok {
			for _, p := range CommentProblems(h) {
				out = append(out, "comment."+k+": "+p)
			}
		}
	}
	if env.Audience == "public" {
		for k := range env.Comment {
			switch k {
			case "id", "story_id", "parent_id", "status", "url", "text", "html", "author", "created_at", "edited_at", "edit_approved":
			default:
				out = append(out, fmt.Sprintf("a public delivery carries comment.%s", k))
			}
		}
		if a, ok := env.Comment["author"].(map[string]any); ok {
			for k := range a {
				if k != "name" {
					out = append(out, fmt.Sprintf("a public delivery carries comment.author.%s", k))
				}
			}
		}
	}
	return out
}

// SafeURL reports whether u is relative or uses one of the schemes, read
// the way a browser reads it (ASCII control and space characters dropped).
func SafeURL(u string, schemes ...string) bool {
	clean := strings.Map(func(r rune) rune {
		if r <= ' ' || unicode.IsControl(r) {
			return -1
		}
		return unicode.ToLower(r)
	}, u)
	i := strings.IndexAny(clean, ":/?#")
	if i < 0 || clean[i] != ':' {
		return true // relative
	}
	for _, s := range schemes {
		if strings.HasPrefix(clean, s) {
			return true
		}
	}
	return false
}

// Walk calls fn for n and every node below it.
func Walk(n *html.Node, fn func(*html.Node)) {
	fn(n)
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		Walk(c, fn)
	}
}

func attr(n *html.Node, k string) string {
	for _, a := range n.Attr {
		if a.Key == k {
			return a.Val
		}
	}
	return ""
}

// MIMEParts parses a built email (RFC 5322) and returns its decoded
// text/plain and text/html parts, and the headers.
func MIMEParts(raw []byte) (text, htmlPart string, header mail.Header, err error) {
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return "", "", nil, err
	}
	read := func(ctype, cte string, r io.Reader) error {
		if strings.EqualFold(cte, "quoted-printable") {
			r = quotedprintable.NewReader(r)
		}
		b, err := io.ReadAll(r)
		if err != nil {
			return err
		}
		mt, _, err := mime.ParseMediaType(ctype)
		if err != nil {
			return err
		}
		switch mt {
		case "text/plain":
			text = strings.ReplaceAll(string(b), "\r\n", "\n")
		case "text/html":
			htmlPart = strings.ReplaceAll(string(b), "\r\n", "\n")
		default:
			return fmt.Errorf("unexpected part %s", mt)
		}
		return nil
	}
	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil {
		return "", "", nil, err
	}
	if !strings.HasPrefix(mt, "multipart/") {
		err = read(m.Header.Get("Content-Type"), m.Header.Get("Content-Transfer-Encoding"), m.Body)
		return text, htmlPart, m.Header, err
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return text, htmlPart, m.Header, nil
		}
		if err != nil {
			return "", "", nil, err
		}
		if err := read(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p); err != nil {
			return "", "", nil, err
		}
	}
}
