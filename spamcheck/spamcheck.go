// Package spamcheck holds the cheap, pure spam checks run on every new
// comment before it is stored: the widget's honeypot field, the time spent
// composing, and the number of links. Each signal it returns carries a
// sentence a moderator can read to see why the comment was held.
//
// Duplicate, cluster, rate and classifier signals are produced elsewhere
// (packages dedupe and service); this package needs no state.
package spamcheck

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/parley-comments/parley"
)

// Signal kinds returned by Check. They match the kinds documented on
// parley.SpamSignal.
const (
	KindHoneypot = "honeypot"
	KindTooFast  = "too_fast"
	KindLinks    = "links"
)

// Composing-time thresholds. A submission is "impossibly fast" when the
// widget reports less time than MinComposeFor(body):
//
//	min(MinComposeMillis, ShortComposeMillis + ComposeMillisPerRune × runes)
//
// MillisPerRune is 40 ms, that is 25 characters per second: faster than any
// sustained human typing (a 120 words-per-minute typist makes about 10). A
// long comment can be written elsewhere and pasted, so the requirement is
// capped at MinComposeMillis (2 s): even a paste needs the reader to focus
// the form, paste and press the button, while a bot that posts the form
// directly reports a few hundred milliseconds or nothing at all. Very short
// replies ("+1", "Thank you!") can honestly be typed in about a second, so
// they need only ShortComposeMillis plus their typing time.
const (
	MinComposeMillis      = 2000
	ShortComposeMillis    = 800
	ComposeMillisPerRune  = 40
	maxHoneypotDetailRune = 40
)

// Input is what Check looks at for one comment.
type Input struct {
	// Body is the comment's markdown source.
	Body string
	// Honeypot is the value of the widget's hidden field. People never see
	// it, so it is empty unless a bot filled in the form.
	Honeypot string
	// ComposeMillis is the time the widget measured from the first
	// keystroke or focus to submission. 0 means unknown (an API client or an
	// old widget) and is never held against the comment.
	ComposeMillis int64
	// MaxLinks is the site's link limit. 0 or less means
	// parley.DefaultMaxLinks.
	MaxLinks int
}

// MinComposeFor returns the minimum plausible composing time in
// milliseconds for body. See MinComposeMillis.
func MinComposeFor(body string) int64 {
	n := int64(utf8.RuneCountInString(strings.TrimSpace(body)))
	need := ShortComposeMillis + ComposeMillisPerRune*n
	if need > MinComposeMillis {
		need = MinComposeMillis
	}
	return need
}

// Check returns the spam signals for in, or nil if there are none. Signals
// appear in a fixed order: honeypot, too_fast, links.
func Check(in Input) []parley.SpamSignal {
	var out []parley.SpamSignal
	if hp := strings.TrimSpace(in.Honeypot); hp != "" {
		out = append(out, parley.SpamSignal{
			Kind: KindHoneypot,
			Detail: fmt.Sprintf("The hidden form field that people never see was filled in (with %s); form-filling bots do this.",
				quoteShort(hp)),
		})
	}
	if in.ComposeMillis > 0 {
		if need := MinComposeFor(in.Body); in.ComposeMillis < need {
			n := utf8.RuneCountInString(strings.TrimSpace(in.Body))
			out = append(out, parley.SpamSignal{
				Kind: KindTooFast,
				Detail: fmt.Sprintf("Submitted %d ms after writing started; a person needs at least %d ms for a %d-character comment.",
					in.ComposeMillis, need, n),
			})
		}
	}
	limit := in.MaxLinks
	if limit <= 0 {
		limit = parley.DefaultMaxLinks
	}
	if n := CountLinks(in.Body); n > limit {
		out = append(out, parley.SpamSignal{
			Kind:   KindLinks,
			Detail: fmt.Sprintf("Contains %d links; this site allows at most %d per comment.", n, limit),
		})
	}
	return out
}

// quoteShort quotes s for a moderator, cut to a few dozen characters and
// with control characters escaped.
func quoteShort(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if utf8.RuneCountInString(s) > maxHoneypotDetailRune {
		r := []rune(s)
		s = string(r[:maxHoneypotDetailRune]) + "…"
	}
	return fmt.Sprintf("%q", s)
}

var (
	// mdLinkRe matches an inline markdown link or image, [text](target), and
	// a reference definition line, [label]: target.
	mdLinkRe = regexp.MustCompile(`!?\[[^\[\]\n]*\]\([^()\s]*(?:\s+"[^"\n]*")?\s*\)|(?m)^ {0,3}\[[^\[\]\n]+\]:[ \t]*\S+`)
	// bareURLRe matches what the renderer's linkify turns into a link: a
	// URL with a scheme, or a www. host name.
	bareURLRe = regexp.MustCompile(`(?i)\b(?:https?|ftp)://[^\s<>"'\x60]+|\bwww\.[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+`)
)

// CountLinks returns the number of links in a comment's markdown source:
// inline markdown links and images ([text](url)), reference definitions
// ([1]: url), autolinks (<https://…>), bare URLs with a scheme (http, https,
// ftp) and bare www. host names. A markdown link counts once even when its
// text is itself a URL. Every occurrence counts, so one URL pasted five
// times is five links.
func CountLinks(markdown string) int {
	if !mayHaveLink(markdown) {
		return 0 // most comments: the regular expressions cost more than the rest of the check
	}
	n := 0
	rest := mdLinkRe.ReplaceAllStringFunc(markdown, func(string) string {
		n++
		return " "
	})
	n += len(bareURLRe.FindAllStringIndex(rest, -1))
	return n
}

// mayHaveLink reports whether s has what every match of mdLinkRe or
// bareURLRe needs: "](", "]:", "://" or "www." in any case.
func mayHaveLink(s string) bool {
	if strings.Contains(s, "](") || strings.Contains(s, "]:") || strings.Contains(s, "://") {
		return true
	}
	for i := 3; i < len(s); i++ {
		if j := strings.IndexByte(s[i:], '.'); j < 0 {
			return false
		} else {
			i += j
		}
		if (s[i-3]|0x20) == 'w' && (s[i-2]|0x20) == 'w' && (s[i-1]|0x20) == 'w' {
			return true
		}
	}
	return false
}
