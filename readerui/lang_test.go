package readerui

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/parley-comments/parley/i18n"
)

// TestReaderPagesSwitchLanguage: a page behind a mailed link offers the
// five languages; ?lang= renders it in the chosen one, and the answer to
// its form keeps that language.
func TestReaderPagesSwitchLanguage(t *testing.T) {
	e := newEnv(t)
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	e.post("news", "reader@example.org", "A comment that gets replies.")
	r, err := e.svc.Store().GetNotifyReader(context.Background(), "news", "reader@example.org")
	if err != nil {
		t.Fatal(err)
	}
	base := "/notify/" + r.Token
	code, body := e.do("GET", base+"/unsubscribe", "")
	if code != 200 || !strings.Contains(body, `href="`+base+`/unsubscribe?lang=hy"`) || !strings.Contains(body, `aria-current="true">English`) {
		t.Fatalf("switch on the English page: %d %s", code, body)
	}
	code, body = e.do("GET", base+"/unsubscribe?lang=hy", "")
	if code != 200 || !strings.Contains(body, `<html lang="hy">`) || !strings.Contains(body, cat.T("hy", "reader.unsubscribe")) ||
		!strings.Contains(body, `action="`+base+`/unsubscribe?lang=hy"`) {
		t.Fatalf("unsubscribe page in hy: %d %s", code, body)
	}
	code, body = e.do("POST", base+"/unsubscribe?lang=hy", "List-Unsubscribe=One-Click")
	if code != 200 || !strings.Contains(body, `<html lang="hy">`) || strings.Contains(body, "<nav") {
		t.Fatalf("the answer in hy: %d %s", code, body)
	}
	if code, _ := e.do("POST", base+"?lang=ru", "mode=digest"); code != http.StatusSeeOther {
		t.Fatalf("set mode: %d", code)
	}
	code, body = e.do("GET", base+"?saved=1&lang=ru", "")
	if code != 200 || !strings.Contains(body, cat.T("ru", "reader.saved")) {
		t.Fatalf("saved in ru: %d %s", code, body)
	}
}
