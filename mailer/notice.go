package mailer

import (
	"bytes"
	"html/template"
	"net/url"
	"strings"

	"github.com/parley-comments/parley"
)

// Line is one paragraph of a notification mail (a reply, a decision, a
// digest, a moderator alert or summary).
type Line struct {
	// Text is plain text, already translated. It may hold user-supplied
	// words (a name, a title, a comment); they are never interpreted as
	// HTML.
	Text string
	// URL, when set, is a link that Text shows: in the HTML part it
	// becomes the one anchor of the paragraph, if it is on one of the
	// Composer's hosts (otherwise it stays text).
	URL string
	// Quote marks someone's text (a comment, a site's rules): "> " lines
	// in the plain-text part, a blockquote in the HTML part.
	Quote bool
	// Rule starts the footer ("-- " in the plain-text part); the lines
	// after it are set in small print.
	Rule bool
}

// noticeTmpl is the HTML part of a notice; every value is escaped by
// html/template, and the result still passes the email policy.
var noticeTmpl = template.Must(template.New("notice").Parse(`<div style="font-family: sans-serif; font-size: 15px; line-height: 1.5; color: #1a1a1a">
{{- range .}}
{{- if .Rule}}<hr>
{{- else if .Quote}}<blockquote style="border-left: 3px solid #cccccc; margin: 0 0 1em 0; padding: 0 12px; color: #444444">{{range $i, $l := .Lines}}{{if $i}}<br>{{end}}{{$l}}{{end}}</blockquote>
{{- else if .Href}}<p{{if .Small}} style="font-size: 12px; color: #777777"{{end}}>{{.Before}}<a href="{{.Href}}">{{.URL}}</a>{{.After}}</p>
{{- else}}<p{{if .Small}} style="font-size: 12px; color: #777777"{{end}}>{{.Text}}</p>
{{- end}}
{{- end}}
</div>`))

type noticeLine struct {
	Line
	Small         bool
	Lines         []string
	Href          string
	Before, After string
}

// Notice builds a notification mail from its lines: the plain-text part
// (paragraphs separated by blank lines, quotes as "> " lines, "-- " before
// the footer) and an HTML part made with html/template and the strict
// email policy, in which only links to the Composer's hosts are anchors.
func (c *Composer) Notice(to, toName, lang, subject string, lines []Line) (parley.Email, error) {
	var t strings.Builder
	var hl []noticeLine
	small := false
	for _, l := range lines {
		nl := noticeLine{Line: l, Small: small}
		switch {
		case l.Rule:
			t.WriteString("-- \n")
			small = true
		case l.Quote:
			for _, q := range strings.Split(strings.TrimSpace(l.Text), "\n") {
				t.WriteString("> " + q + "\n")
				nl.Lines = append(nl.Lines, q)
			}
			t.WriteString("\n")
		default:
			t.WriteString(l.Text + "\n\n")
			if i := strings.LastIndex(l.Text, l.URL); l.URL != "" && i >= 0 && c.ours(l.URL) {
				nl.Href, nl.Before, nl.After = l.URL, l.Text[:i], l.Text[i+len(l.URL):]
			}
		}
		hl = append(hl, nl)
	}
	var h bytes.Buffer
	if err := noticeTmpl.Execute(&h, hl); err != nil {
		return parley.Email{}, err
	}
	return parley.Email{To: to, ToName: toName, Locale: lang, Subject: subject, Text: strings.TrimSpace(t.String()) + "\n",
		HTML: c.policy.Sanitize(h.String())}, nil
}

// ours reports whether u is an http(s) URL on one of the Composer's hosts.
func (c *Composer) ours(u string) bool {
	p, err := url.Parse(u)
	return err == nil && (p.Scheme == "https" || p.Scheme == "http") && p.User == nil && c.hosts[strings.ToLower(p.Host)]
}
