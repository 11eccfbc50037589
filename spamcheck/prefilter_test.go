package spamcheck

import "testing"

// The prefilter never hides a link the regular expressions would count.
func TestMayHaveLinkPrefilter(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"", "plain words. And more.", "ww.x", "see WwW.Example.org now", "www.a.b", "x [a](b)",
		"[1]: https://x", "ftp://h", "HTTPS://EXAMPLE.COM", "<https://x>", "w.w.w.", "…www.ex.am", "տեքստ www.օրինակ.հայ"} {
		slow := 0
		rest := mdLinkRe.ReplaceAllStringFunc(s, func(string) string { slow++; return " " })
		slow += len(bareURLRe.FindAllStringIndex(rest, -1))
		if got := CountLinks(s); got != slow {
			t.Errorf("CountLinks(%q) = %d, the regular expressions count %d", s, got, slow)
		}
	}
}
