package service

import (
	"strings"
	"testing"

	"github.com/parley-comments/parley"
)

// TestConfirmationMailFromCacheIsTheComposedMail: a confirmation mail made
// from the cached copy is, byte for byte, the mail composed for the reader
// directly, in every language and for every token; a token the escaping
// would change is composed directly.
func TestConfirmationMailFromCacheIsTheComposedMail(t *testing.T) {
	t.Parallel()
	cat, err := mailCatalog()
	if err != nil {
		t.Fatal(err)
	}
	s := &Service{publicURL: "https://comments.example"}
	site := &parley.Site{ID: "news", Name: "The <Daily> & Co", Origins: []string{"https://news.example"}}
	for _, lang := range []string{"en", "ru", "hy", "az", "tr"} {
		for i := range 3 {
			r := &parley.NotifyReader{SiteID: site.ID, Email: "a@example.org", Token: newSecret("pn_")}
			got, err := s.confirmationMail(site, r, &mailText{cat: cat, lang: lang})
			if err != nil {
				t.Fatal(err)
			}
			want, err := s.composeConfirmation(site, r.Token, &mailText{cat: cat, lang: lang})
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Fatalf("%s, mail %d: from the cache\n%+v\ncomposed\n%+v", lang, i, got, want)
			}
			if !strings.Contains(got.HTML, r.Token) || !strings.Contains(got.ListUnsubscribe, r.Token) || strings.Contains(got.Text, confirmPlaceholder) {
				t.Fatalf("%s: the token is not in the mail: %+v", lang, got)
			}
		}
	}
	odd := &parley.NotifyReader{SiteID: site.ID, Email: "a@example.org", Token: "pn_a/b c"}
	got, err := s.confirmationMail(site, odd, &mailText{cat: cat, lang: "en"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got.Text, "/notify/pn_a%2Fb%20c/confirm") {
		t.Fatalf("a token with characters to escape: %s", got.Text)
	}
}
