package dedupe

import (
	"strings"
	"testing"

	"github.com/parley-comments/parley/textnorm"
)

func TestSignCounts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text               string
		words, informative int
		stock              bool
	}{
		{"Thank you!", 2, 0, true},
		{"+1", 1, 0, true},
		{"👍", 0, 0, true},
		{"THANKS thanks Thanks", 3, 0, true},
		{"Спасибо", 1, 0, true},
		{"Շնորհակալություն", 1, 0, true},
		{"Təşəkkürlər", 1, 0, true},
		{"TEŞEKKÜRLER", 1, 0, true},
		{"The ceasefire is a lie invented by the government", 9, 4, false},
		{"Перемирие — это ложь, придуманная правительством", 5, 4, false},
	}
	for _, tt := range tests {
		s := Sign(tt.text)
		if s.Words != tt.words || s.Informative != tt.informative || s.Stock != tt.stock {
			t.Errorf("Sign(%q): words %d informative %d stock %v, want %d %d %v",
				tt.text, s.Words, s.Informative, s.Stock, tt.words, tt.informative, tt.stock)
		}
	}
}

func TestSignSurfaceInvariance(t *testing.T) {
	t.Parallel()
	a := Sign(campaignText)
	for _, v := range []string{
		strings.ToUpper(campaignText),
		strings.ReplaceAll(campaignText, "e", "е"), // Cyrillic е, always inside a Latin word here
		strings.ReplaceAll(campaignText, " ", "\u200b \t"),
		strings.ReplaceAll(campaignText, ".", "!!!"),
	} {
		b := Sign(v)
		if a != b {
			t.Errorf("signature of %q differs from the original", v)
		}
	}
	if Similarity(&a, &a) != 1 {
		t.Error("self-similarity is not 1")
	}
	other := Sign("A completely different comment about football results and the weather this weekend.")
	if s := Similarity(&a, &other); s > 0.2 {
		t.Errorf("unrelated similarity %.2f", s)
	}
}

func FuzzSign(f *testing.F) {
	f.Add(campaignText)
	f.Add("Thank you!")
	f.Add("Շնորհակալություն, շատ լավ հոդված է")
	f.Add("ŞIK İstanbul ı i\u200b\u0301 \xff\xfe")
	f.Add("")
	f.Add("KKKKKKK$")
	f.Fuzz(func(t *testing.T, s string) {
		a := Sign(s)
		if b := Sign(s); a != b {
			t.Fatalf("Sign not deterministic for %q", s)
		}
		if a.Informative > a.Words || a.Runes < a.Words {
			t.Fatalf("inconsistent counts for %q: %+v", s, a)
		}
		if a.Words == 0 && !a.Stock {
			t.Fatalf("wordless text %q is not a stock reply", s)
		}
		if Similarity(&a, &a) != 1 {
			t.Fatalf("self-similarity is not 1 for %q", s)
		}
		if b := refSignNormalized(textnorm.Normalize(s).Text); b != a {
			t.Fatalf("Sign(%q) differs from the reference implementation", s)
		}
		// Invisible characters and surrounding white space never change
		// the signature.
		if b := Sign("\u200b " + s + "\u200b\n"); b != a {
			t.Fatalf("Sign(%q) changed by surrounding zero-width and white space", s)
		}
	})
}
