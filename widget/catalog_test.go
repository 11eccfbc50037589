package widget

import (
	"strings"
	"testing"

	"github.com/parley-comments/parley/i18n"
)

// TestBundleHasTheCatalog fails when the committed bundle was built from an
// older catalog: every widget message of every language must be in it
// (rebuild with `cd frontend && npm run build`).
func TestBundleHasTheCatalog(t *testing.T) {
	m := mustManifest(t)
	b, err := distFS.ReadFile("dist/" + m.Bundle)
	if err != nil {
		t.Fatal(err)
	}
	bundle := string(b)
	c, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, l := range i18n.Languages() {
		for _, area := range []string{"widget.", "reason.", "lang."} {
			for _, k := range c.Keys(area) {
				msg := c.Message(l.Code, k)
				texts := []string{msg.Text}
				if msg.IsPlural() {
					texts = nil
					for _, f := range msg.Forms {
						texts = append(texts, f)
					}
				}
				for _, s := range texts {
					if strings.ContainsAny(s, "\"'`\\\n") {
						continue // quoted differently by the minifier
					}
					checked++
					if !strings.Contains(bundle, s) {
						t.Errorf("%s %s: %q is not in %s; rebuild the widget (cd frontend && npm run build)", l.Code, k, s, m.Bundle)
					}
				}
			}
		}
	}
	if checked < 300 {
		t.Fatalf("only %d messages checked", checked)
	}
}
