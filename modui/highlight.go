package modui

import (
	"html/template"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/parley-comments/parley"
)

// Highlight returns text as safe HTML with the classifier's evidence spans
// wrapped in <mark> elements. Every byte of text is escaped; the only
// markup added is <mark class="ev" data-labels="…" title="…">. Spans are
// byte offsets into text (End exclusive); spans out of range are dropped,
// and offsets inside a UTF-8 sequence are moved outwards to the enclosing
// character so that no character is split. Overlapping spans are merged
// into segments that carry every label covering them. labelName gives each
// label's display name for the title attribute.
func Highlight(text string, ev []parley.Evidence, labelName func(parley.Label) string) template.HTML {
	type span struct {
		start, end int
		label      parley.Label
	}
	spans := make([]span, 0, len(ev))
	for _, e := range ev {
		s, en := e.Start, e.End
		if s < 0 || en > len(text) || s >= en {
			continue
		}
		for s > 0 && !utf8.RuneStart(text[s]) {
			s--
		}
		for en < len(text) && !utf8.RuneStart(text[en]) {
			en++
		}
		spans = append(spans, span{s, en, e.Label})
	}
	if len(spans) == 0 {
		return template.HTML(template.HTMLEscapeString(text))
	}
	// Segment boundaries: every start and end.
	cuts := []int{0, len(text)}
	for _, s := range spans {
		cuts = append(cuts, s.start, s.end)
	}
	sort.Ints(cuts)
	// Segments between cuts, each with the labels covering it; adjacent
	// segments with the same labels are merged into one mark.
	type seg struct {
		start, end int
		labels     []string
	}
	var segs []seg
	for i := 0; i < len(cuts)-1; i++ {
		a, z := cuts[i], cuts[i+1]
		if a == z {
			continue
		}
		var labels []string
		seen := map[parley.Label]bool{}
		for _, s := range spans {
			if s.start <= a && z <= s.end && !seen[s.label] {
				seen[s.label] = true
				labels = append(labels, string(s.label))
			}
		}
		sort.Strings(labels)
		if n := len(segs); n > 0 && strings.Join(segs[n-1].labels, " ") == strings.Join(labels, " ") {
			segs[n-1].end = z
			continue
		}
		segs = append(segs, seg{a, z, labels})
	}
	var b strings.Builder
	for _, sg := range segs {
		text := template.HTMLEscapeString(text[sg.start:sg.end])
		if len(sg.labels) == 0 {
			b.WriteString(text)
			continue
		}
		names := make([]string, len(sg.labels))
		for j, l := range sg.labels {
			names[j] = labelName(parley.Label(l))
		}
		b.WriteString(`<mark class="ev" data-labels="`)
		b.WriteString(template.HTMLEscapeString(strings.Join(sg.labels, " ")))
		b.WriteString(`" title="`)
		b.WriteString(template.HTMLEscapeString(strings.Join(names, ", ")))
		b.WriteString(`">`)
		b.WriteString(text)
		b.WriteString(`</mark>`)
	}
	return template.HTML(b.String())
}
