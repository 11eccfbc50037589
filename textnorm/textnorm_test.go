package textnorm

import (
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestNormalize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		// NFKC
		{"en/fullwidth", "ｈｅｌｌｏ ｗｏｒｌｄ", "hello world"},
		{"en/math bold", "𝐟𝐮𝐜𝐤 this", "fuck this"},
		{"en/ligature", "ﬁne", "fine"},
		{"ru/fullwidth digits", "Привет １２３", "привет 123"},
		{"hy/ligature ech-yiwn", "Բարև", "բարեւ"},
		{"tr/fullwidth", "ＳＥＲＥＦＳＩＺ şerefsiz", "serefsiz şerefsiz"},
		{"az/superscript and fullwidth", "ｇｉｃ²", "gic2"},
		// Case folding: Turkish and Azerbaijani
		{"tr/dotted capital", "İSTANBUL", "istanbul"},
		{"tr/dotless capital in Turkic word", "ŞIKTI", "şıktı"},
		{"tr/dotless kept", "sık sık", "sık sık"},
		{"tr/mixed", "Işık", "ışık"},
		{"az/schwa", "ƏLİ gəldi", "əli gəldi"},
		{"az/dotless capital", "QIZ Əli", "qiz əli"},
		{"en/capital I", "I THINK IT IS", "i think it is"},
		// Zero-width and format characters
		{"en/zwsp", "f\u200bu\u200cc\u200dk", "fuck"},
		{"ru/zwsp", "ху\u200bй", "хуй"},
		{"hy/zwsp", "բոզ\u2060ի", "բոզի"},
		{"en/soft hyphen and bidi", "id\u00adi\u202eot", "idiot"},
		{"tr/zero width joiner", "si\u200dktir", "siktir"},
		{"az/word joiner and BOM", "qəh\u2060bə\ufeff", "qəhbə"},
		{"en/strike-through marks", "f\u0336u\u0336c\u0336k", "fuck"},
		{"en/variation selector", "a\ufe0fb", "ab"},
		// Homoglyphs
		{"en/cyrillic es in latin word", "fuсk", "fuck"},
		{"en/cyrillic o and a", "іdіоt", "idiot"},
		{"ru/latin letters in cyrillic word", "xyй", "хуй"},
		{"ru/latin u for и", "пuздец", "пиздец"},
		{"ru/latin o in cyrillic word", "сoк", "сок"},
		{"ru/untouched", "Классный текст", "классный текст"},
		{"hy/latin o in armenian word", "բoզ", "բօզ"},
		{"hy/armenian o in latin word", "bօz", "boz"},
		{"hy/untouched", "Շնորհակալություն", "շնորհակալություն"},
		{"en/greek omicron", "ιdiοt", "idiot"},
		{"tr/cyrillic a in turkish word", "аptal", "aptal"},
		{"az/cyrillic letters in azerbaijani word", "ахmaq", "axmaq"},
		// Leetspeak
		{"en/digits", "sh1t n00b id10t 1st", "shit noob idiot 1st"},
		{"en/leading digit in leet word", "1d10t h3ll0 4ever covid19", "idiot hello 4ever covid19"},
		{"en/at sign", "f@ck", "fack"},
		{"en/dollar", "$hit a$$", "shit ass"},
		{"en/numbers kept", "2024 $100 @john covid19 mp3", "2024 $100 @john covid19 mp3"},
		{"en/urls kept", "see http://ex4mple.com/a1b", "see http://ex4mple.com/a1b"},
		{"ru/cyrillic leet", "6ля п0рнo", "бля порно"},
		{"ru/cyrillic leet 3", "3ал00па", "залоопа"},
		{"tr/leet", "s1kt1r", "siktir"},
		{"az/leet", "g0tv3rən", "gotverən"},
		{"hy/leet zero in armenian word", "բ0զ", "բօզ"},
		// Squeezing
		{"en/squeeze", "fuuuuuck cooool", "fuuck cool"},
		{"ru/squeeze", "ооооочень", "оочень"},
		{"hy/squeeze", "բարևևևև", "բարեւեւեւեւ"},
		{"tr/squeeze", "aptaaaal", "aptaal"},
		{"az/squeeze", "axmaaaaq", "axmaaq"},
		// Joining split letters
		{"en/dots", "you i.d.i.o.t", "you idiot"},
		{"en/spaces", "i d i o t", "idiot"},
		{"en/dashes", "f - u - c - k off", "fuck off"},
		{"en/with leet", "i.d.1.o.t", "idiot"},
		{"en/two letters not joined", "e.g. a b", "e.g. a b"},
		{"ru/yo folded", "Ёлка ещё", "елка еще"},
		{"ru/spaces", "с у к а", "сука"},
		{"hy/dots", "բ.ո.զ", "բոզ"},
		{"tr/spaces", "a p t a l", "aptal"},
		{"az/dots", "g.i.c", "gic"},
		// Letters hidden by symbols inside a word
		{"en/asterisk", "f*ck this", "f*ck this"},
		{"en/hash run", "sh##t", "sh*t"},
		{"ru/comma for a vowel", "д,билы", "д*билы"},
		{"ru/bracket inserted", "убл)юдки", "убл*юдки"},
		{"ru/dots for letters", "нае...ли", "нае*ли"},
		{"ru/ellipsis character", "нае…ли", "нае*ли"},
		{"ru/latin look-alike joined by a mask", "x*й", "х*й"},
		{"ru/latin look-alikes", "пиcдeц", "писдец"},
		{"ru/half latin look-alikes", "сyкa", "сука"},
		{"ru/trailing zero", "быдл0 дерьм0", "быдло дерьмо"},
		{"tr/asterisk", "o*spu", "o*spu"},
		{"az/dots", "q..hbə", "q*hbə"},
		{"hy/asterisk", "բո*զ", "բո*զ"},
		{"hy/question mark on a vowel is spelling", "Ինչո՞ւ", "ինչու"},
		{"hy/emphasis mark is spelling", "Այդպե՛ս", "այդպես"},
		{"en/abbreviation kept", "i.e. fine", "i.e. fine"},
		{"ru/abbreviation kept", "т.е. так", "т.е. так"},
		{"en/hyphen kept", "e-mail well-known", "e-mail well-known"},
		{"tr/apostrophe kept", "Ermeni'ler", "ermeni'ler"},
		{"en/slash kept", "and/or", "and/or"},
		{"en/decimal kept", "3.14 and 2,5", "3.14 and 2,5"},
		{"en/url kept", "see ex.com/a*b", "see ex.com/a*b"},
		{"en/sentence end kept", "no. yes", "no. yes"},
		// Whitespace
		{"en/space collapse", "  a\t\n  word  ", "a word"},
		{"empty", "", ""},
		{"invalid utf8", "ab\xffcd", "ab cd"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Normalize(tt.in).Text
			if got != tt.want {
				t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestSpanMapsBackToOriginal(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, word, wantOrig string
	}{
		{"You are an i.d.i.o.t, friend", "idiot", "i.d.i.o.t"},
		{"ｈｅｌｌｏ world", "hello", "ｈｅｌｌｏ"},
		{"what a f\u200bu\u200bc\u200bk", "fuck", "f\u200bu\u200bc\u200bk"},
		{"ну ты xyй", "хуй", "xyй"},
		{"sooooo stupid", "soo", "sooooo"},
		{"hey sh1t!", "shit", "sh1t"},
		{"Ə l i", "əli", "Ə l i"},
		{"ну д,билы", "д*билы", "д,билы"},
		{"you f...k", "f*k", "f...k"},
		{"Ինչո՞ւ ես", "ինչու", "Ինչո՞ւ"},
	}
	for _, tt := range tests {
		r := Normalize(tt.in)
		i := strings.Index(r.Text, tt.word)
		if i < 0 {
			t.Fatalf("Normalize(%q) = %q, missing %q", tt.in, r.Text, tt.word)
		}
		s, e := r.Span(i, i+len(tt.word))
		if got := tt.in[s:e]; got != tt.wantOrig {
			t.Errorf("%q: span of %q = %q, want %q", tt.in, tt.word, got, tt.wantOrig)
		}
	}
}

func TestMatchMasked(t *testing.T) {
	tests := []struct {
		word, entry string
		prefix      bool
		want        string
		ok          bool
	}{
		{"д*билы", "дебил", true, "дебилы", true},
		{"убл*юдки", "ублюдк", true, "ублюдки", true},
		{"нае*ли", "наеб", true, "наебли", true},
		{"f*ck", "fuck", false, "fuck", true},
		{"f*k", "fuck", false, "fuck", true},
		{"f*ck", "fck", false, "fck", true},
		{"f*cking", "fuck", false, "", false},
		{"f*cking", "fuck", true, "fucking", true},
		{"бл*ть", "блять", false, "блять", true},
		{"с*ка", "сука", false, "сука", true},
		{"с*а", "собака", false, "", false},      // more than MaxMasked letters
		{"д*м", "дебил", true, "", false},        // the word is shorter than the stem
		{"s*per", "super", false, "super", true}, // a match; whether it matters is the caller's list
		{"п*зд*ц", "пиздец", false, "пиздец", true},
		{"*", "a", false, "", false},          // nothing shown
		{"g*birliği", "gay", true, "", false}, // more hidden than shown
		{"х*й", "хуй", false, "хуй", true},
	}
	for _, tt := range tests {
		got, ok := MatchMasked(tt.word, tt.entry, tt.prefix)
		if ok != tt.ok || got != tt.want {
			t.Errorf("MatchMasked(%q, %q, %v) = %q, %v; want %q, %v", tt.word, tt.entry, tt.prefix, got, ok, tt.want, tt.ok)
		}
	}
}

func TestSpanClamps(t *testing.T) {
	t.Parallel()
	r := Normalize("héllo wörld")
	for _, c := range [][2]int{{-5, 3}, {2, 100}, {100, 200}, {4, 2}, {0, 0}} {
		s, e := r.Span(c[0], c[1])
		if s < 0 || e < s || e > len("héllo wörld") {
			t.Errorf("Span(%d,%d) = %d,%d out of bounds", c[0], c[1], s, e)
		}
	}
	if s, e := (Result{}).Span(0, 1); s != 0 || e != 0 {
		t.Errorf("zero Result Span = %d,%d", s, e)
	}
}

func TestDuplicateKey(t *testing.T) {
	t.Parallel()
	same := [][]string{
		{"Hello, World!!", "hello world", "ｈｅｌｌｏ ｗｏｒｌｄ", "HELLO\u200b WORLD"},
		{"Привет, мир!", "привет мир", "ПРИВЕТ  МИР"},
		{"ŞIK", "şık", "Şık!"},
		{"Բարև ձեզ", "բարև, ձեզ"},
	}
	for _, group := range same {
		want := DuplicateKey(group[0])
		for _, s := range group[1:] {
			if got := DuplicateKey(s); got != want {
				t.Errorf("DuplicateKey(%q) = %q, want %q (as %q)", s, got, want, group[0])
			}
		}
	}
	if DuplicateKey("hello world") == DuplicateKey("hello word") {
		t.Error("different texts share a key")
	}
}

func TestWords(t *testing.T) {
	t.Parallel()
	got := Words(Normalize("Hello, wörld! Привет-мир 42 բարեւ").Text)
	want := []string{"hello", "wörld", "привет", "мир", "42", "բարեւ"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("Words = %q, want %q", got, want)
	}
}

func TestSqueeze(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"fuuck": "fuck", "good": "god", "сууука": "сука", "a11": "a11"} {
		if got := Squeeze(in); got != want {
			t.Errorf("Squeeze(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"", "Hello, World!!", "Привет, мир", "Բարև ձեզ", "Ümumi şəkildə", "i.d.1.o.t", "ŞIKTI", "xyй", "f\u0336u\u0336c\u0336k", "\xff\xfe", "ｈｅｌｌｏ", "բ.ո.զ", "ﷺ", "e\u0301\u0301\u0301", "a\u200bb"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if fast, slow := decomposeWith(s, nil, true), decomposeWith(s, nil, false); !slices.Equal(fast, slow) {
			t.Fatalf("fast path differs from NFKC for %q:\n%v\n%v", s, fast, slow)
		}
		r := Normalize(s)
		if !utf8.ValidString(r.Text) {
			t.Fatalf("invalid UTF-8 out: %q", r.Text)
		}
		n := len(r.Text)
		prevS, prevE := 0, 0
		for i := 0; i <= n; i++ {
			for _, j := range []int{i, i + 1, n} {
				st, en := r.Span(i, j)
				if st < 0 || en < st || en > len(s) {
					t.Fatalf("Span(%d,%d) = %d,%d, len(s)=%d", i, j, st, en, len(s))
				}
			}
			st, en := r.Span(i, i+1)
			if i < n && (st < prevS || en < prevE) {
				t.Fatalf("Span not monotonic at %d: %d,%d after %d,%d", i, st, en, prevS, prevE)
			}
			if i < n {
				prevS, prevE = st, en
			}
		}
		if st, en := r.Span(0, n); n > 0 && (st > en) {
			t.Fatalf("whole span %d,%d", st, en)
		}
		_ = DuplicateKey(s)
		for _, w := range Words(r.Text) {
			if w == "" {
				t.Fatal("empty word")
			}
		}
		if Normalize(r.Text).Text == "" && r.Text != "" {
			t.Fatalf("renormalizing %q lost everything", r.Text)
		}
	})
}

// The rune tables answer exactly as the unicode package does.
func TestRuneTablesMatchUnicode(t *testing.T) {
	t.Parallel()
	for r := rune(-1); r < 0x1000; r++ {
		if IsLetter(r) != unicode.IsLetter(r) || IsDigit(r) != unicode.IsDigit(r) ||
			IsLatin(r) != unicode.Is(unicode.Latin, r) || IsCyrillic(r) != unicode.Is(unicode.Cyrillic, r) ||
			scriptOf(r) != slowScriptOf(r) ||
			isMark(r) != (unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r)) || isBlank(r) != (unicode.IsSpace(r) || unicode.IsControl(r)) {
			t.Fatalf("rune %U: tables disagree with package unicode", r)
		}
	}
}

// The runes the fast path passes through unnormalized come out of NFKC
// unchanged, alone and next to each other.
func TestInertRunesAreLeftAloneByNFKC(t *testing.T) {
	t.Parallel()
	var inert []rune
	for r := rune(0); r < lowRunes; r++ {
		if nfkcInert(string(r)) {
			inert = append(inert, r)
		}
	}
	if len(inert) < 1000 {
		t.Fatalf("only %d inert runes below U+0800", len(inert))
	}
	check := func(s string) {
		if fast, slow := decomposeWith(s, nil, true), decomposeWith(s, nil, false); !slices.Equal(fast, slow) {
			t.Fatalf("%q: fast path %v, NFKC %v", s, fast, slow)
		}
	}
	for i, a := range inert {
		check(string(a))
		for j := i % 3; j < len(inert); j += 3 {
			check(string(a) + string(inert[j]))
		}
	}
}
