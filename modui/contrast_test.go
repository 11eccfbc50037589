package modui

import (
	"math"
	"regexp"
	"strconv"
	"testing"
)

// relLuminance is WCAG 2.x relative luminance of a #rrggbb colour.
func relLuminance(t *testing.T, hex string) float64 {
	t.Helper()
	if len(hex) != 7 || hex[0] != '#' {
		t.Fatalf("colour %q is not #rrggbb", hex)
	}
	var c [3]float64
	for i := range c {
		v, err := strconv.ParseUint(hex[1+2*i:3+2*i], 16, 8)
		if err != nil {
			t.Fatal(err)
		}
		x := float64(v) / 255
		if x <= 0.03928 {
			c[i] = x / 12.92
		} else {
			c[i] = math.Pow((x+0.055)/1.055, 2.4)
		}
	}
	return 0.2126*c[0] + 0.7152*c[1] + 0.0722*c[2]
}

func contrast(t *testing.T, a, b string) float64 {
	la, lb := relLuminance(t, a), relLuminance(t, b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// TestContrast checks the dashboard's colour pairs against WCAG 2.2 AA:
// 4.5:1 for text, 3:1 for focus indicators and control borders. The
// colours are read from the custom properties in static/app.css, so a
// palette change that breaks contrast fails here.
//
//	go test ./modui/ -run TestContrast -v
func TestContrast(t *testing.T) {
	t.Parallel()
	css, err := staticFS.ReadFile("static/app.css")
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"white": "#ffffff", "black": "#1a1a1a", "border": "#767676", "selected": "#eef3ff", "body-bg": "#fbfbfc"}
	for _, m := range regexp.MustCompile(`--([a-z-]+):\s*(#[0-9a-f]{6})`).FindAllStringSubmatch(string(css), -1) {
		vars[m[1]] = m[2]
	}
	pairs := []struct {
		what   string
		fg, bg string
		min    float64
	}{
		{"text", "fg", "bg", 4.5}, {"text on panels", "fg", "panel", 4.5}, {"comment text", "fg", "body-bg", 4.5},
		{"text of a selected item", "fg", "selected", 4.5},
		{"muted text", "muted", "bg", 4.5}, {"muted text on panels", "muted", "panel", 4.5},
		{"links", "link", "bg", 4.5}, {"links on panels", "link", "panel", 4.5},
		{"approve button", "ok", "panel", 4.5}, {"reject button", "bad", "panel", 4.5}, {"high scores", "bad", "bg", 4.5},
		{"pending status", "warn", "bg", 4.5}, {"current tab", "white", "focus", 4.5},
		{"toxic mark", "fg", "mark", 4.5}, {"hate speech mark", "fg", "mark-hate", 4.5}, {"personal attack mark", "fg", "mark-attack", 4.5},
		{"obscenity mark", "fg", "mark-obscene", 4.5}, {"spam mark", "fg", "mark-spam", 4.5},
		{"toast", "white", "black", 4.5}, {"alert toast", "white", "bad", 4.5},
		{"focus ring", "focus", "bg", 3}, {"control borders", "border", "bg", 3},
	}
	for _, p := range pairs {
		fg, bg := vars[p.fg], vars[p.bg]
		if fg == "" || bg == "" {
			t.Fatalf("%s: colour --%s or --%s missing from app.css", p.what, p.fg, p.bg)
		}
		r := contrast(t, fg, bg)
		t.Logf("%-24s %s on %s: %.1f:1", p.what, fg, bg, r)
		if r < p.min {
			t.Errorf("%s: %s on %s is %.2f:1, below %.1f:1", p.what, fg, bg, r, p.min)
		}
	}
}
