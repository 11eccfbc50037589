package modui

import (
	"fmt"
	"strings"
	"testing"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/classify"
	"github.com/parley-comments/parley/service"
)

// The low-risk lane lists pending comments that the classifier, the
// duplicate check and the author's history all call clean, ticked.
func TestLowRiskLane(t *testing.T) {
	m, err := classify.Default()
	if err != nil {
		t.Fatal(err)
	}
	e := newEnvWith(t, func(o *service.Options) { o.Classifier = m })
	clean := []string{
		"Thank you for this detailed report on the new library opening.",
		"Спасибо за подробный репортаж об открытии новой библиотеки.",
		"Շնորհակալություն նոր գրադարանի բացման մասին մանրամասն հոդվածի համար։",
		"Yeni kütüphanenin açılışıyla ilgili bu ayrıntılı haber için teşekkürler.",
	}
	for i, body := range clean {
		e.comment("alpha", "a1", body, fmt.Sprintf("clean%d@example.org", i))
	}
	toxic := e.comment("alpha", "a1", "You are a stupid idiot and everyone here hates you, moron.", "rude@example.org")
	// An author whose earlier comment was rejected is not low risk.
	modUser := mustUser(t, e, "mod@alpha.example")
	old := e.comment("alpha", "a1", "An earlier comment by this author.", "history@example.org")
	if _, err := e.svc.Decide(e.ctx, modUser, old.ID, service.Decision{Action: service.ActionReject, Reason: parley.ReasonOffTopic}); err != nil {
		t.Fatal(err)
	}
	e.comment("alpha", "a1", "A perfectly polite remark about the library.", "history@example.org")

	mod := e.login("mod@alpha.example")
	_, body := mod.get("/moderation/s/alpha?status=lowrisk")
	n := strings.Count(body, `class="item selected"`)
	if n != len(clean) {
		t.Errorf("%d low-risk items, want %d", n, len(clean))
	}
	for _, s := range clean {
		if !strings.Contains(body, s) {
			t.Errorf("low-risk lane lacks %q", s)
		}
	}
	if strings.Contains(body, toxic.Body) || strings.Contains(body, "perfectly polite") {
		t.Error("a flagged comment or an author with a rejection is in the low-risk lane")
	}
	if strings.Count(body, `form="bulk" id="sel-`) != strings.Count(body, " checked>") || !strings.Contains(body, "Approve the ticked") {
		t.Error("not every item is ticked, or no approve-the-ticked button")
	}
	if !strings.Contains(body, "4 comments that the classifier") {
		t.Error("the page does not say how many it found")
	}
}
