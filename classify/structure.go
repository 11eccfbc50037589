package classify

import "strings"

// Word-list categories that count only in structure (see structure): they
// link a people to what is said about it, or an insult to the person it is
// aimed at, within one clause.
const (
	// catExpel: expulsion or collective punishment ("must be driven out",
	// "выгнать", "sınır dışı edilmeli", "should all pay").
	catExpel = "expel"
	// catVice: a trait or crime pinned on people ("liars", "предатели",
	// "hainler", "oğrular"): an insult to a people next to a group word,
	// an attack next to "you".
	catVice = "vice"
	// catEssential: essentialism and collective guilt markers ("all of
	// them", "a nation of", "in their blood", "по природе").
	catEssential = "essential"
	// catNegation: a negation that undoes what follows it in the clause
	// ("not", "don't think", "не", "değil", "deyil", "չեն").
	catNegation = "negation"
	// catCounter: counter-speech that quotes or reports hate to condemn it
	// ("calling … is racist", "те, кто называет", "diyenler").
	catCounter = "counter"
	// catNegCopula: a negative copula that follows its predicate in
	// Turkish, Azerbaijani and Armenian ("asalak değildir", "parazit
	// deyil", "մակաբույծ չեն"); it undoes the predicate right before it.
	catNegCopula = "negcopula"
	// catAddress: an imperative or vocative that speaks to the reader
	// ("shut up", "заткнись", "sus", "lrir"): an insult in its clause is
	// aimed at the addressee.
	catAddress = "address"
	// catAnaphor: a pronoun for a group named in the sentence before
	// ("Kill them all", "Убить всех", "Hepsini öldürün", "Սպանել
	// բոլորին"): a call to violence or expulsion with it is linked to that
	// group.
	catAnaphor = "anaphor"
	// catState: a government, army, regime or leader, or a country's name.
	// A people's adjective next to it ("the Turkish army") names the
	// state, and criticism of a state is politics, not hate.
	catState = "state"
)

// Severity of hate against a people, lowest first. Each has the least
// hate_speech score a comment with it gets (hateFloor), so the queue ranks
// a call to violence above an insult to a people.
const (
	sevNone = iota
	sevInsult
	sevEssential
	sevDehuman
	sevExpel
	sevViolent
)

// hateFloor is the hate_speech (and toxic) score floor of each severity.
// They rank severities; the lowest is above every language's threshold, so
// any linked pattern suggests hate_speech.
var hateFloor = [...]float64{sevNone: 0, sevInsult: 0.8, sevEssential: 0.85, sevDehuman: 0.9, sevExpel: 0.94, sevViolent: 0.97}

// attackFloor is the personal_attack (and toxic) score floor of an insult
// aimed at the addressee in the same clause.
const attackFloor = 0.9

// negationWindow is how many words before a predicate a negation may be
// and still undo it ("I don't think they are vermin").
const negationWindow = 6

// addressWindow is how many words after "you" a vice or dehumanizing word
// may be for an attack ("you are a liar", not "…dogs will serenade you");
// up to two words before it count too ("скотина ты", "недоумок, как ты"). A word-list insult counts
// anywhere in the clause.
const addressWindow = 4

// linkWindow bounds how many words apart, within one clause, a group word
// and what is said about it may be.
const linkWindow = 12

// structureResult is what structure found in one text.
type structureResult struct {
	hits     []lexHit
	severity int  // of hate against a people
	attack   bool // an insult aimed at the addressee
	counter  bool // counter-speech: hate quoted to condemn it
}

// isStructureCat reports whether c is a category that counts only in
// structure.
func isStructureCat(c string) bool {
	switch c {
	case catGroup, catDehuman, catViolent, catLiteral, catExpel, catVice, catEssential, catNegation, catCounter, catState,
		catNegCopula, catAddress, catAnaphor:
		return true
	}
	return false
}

// clauseBreakWords start a new clause: contrast conjunctions, after which
// what was said of a group no longer holds ("not all Armenians…, but these
// are…").
var clauseBreakWords = map[string]bool{
	"but": true, "however": true, "но": true, "однако": true, "ama": true, "fakat": true, "ancak": true, "lakin": true,
	"amma": true, "ancaq": true, "բայց": true, "bayc": true, "bayts": true,
}

// blockingPrepositions before a dehumanizing word make it something the
// sentence talks about, not what it calls the people ("complained about
// rats", "жалуются на крыс").
var blockingPrepositions = map[string]bool{
	"about": true, "with": true, "from": true, "of": true, "for": true, "at": true, "near": true, "by": true,
	"against": true, "о": true, "об": true, "про": true, "от": true, "для": true, "против": true, "с": true,
}

// clauses returns, per word, the index of its clause: a new clause starts
// after sentence punctuation or a line break, and at a contrast
// conjunction.
func clauses(norm string, bounds [][2]int, words []string, out []int32) []int32 {
	out = out[:0]
	c := int32(0)
	for i := range bounds {
		if i > 0 {
			gap := norm[bounds[i-1][1]:bounds[i][0]]
			if strings.ContainsAny(gap, ".!?;\n։՝") || clauseBreakWords[words[i]] {
				c++
			}
		}
		out = append(out, c)
	}
	return out
}

// structure links the hits of one text (sorted, not overlapping) within
// clauses. A group word linked to a dehumanizing word, a call to violence
// or expulsion, or a vice (with or without an essentialist marker) makes
// both group_hate hits and sets the severity; a group word next to a state
// word names the state and links nothing. A negation earlier in the clause
// undoes a link, and counter-speech anywhere in the text undoes all of
// them. An insult, vice or dehumanizing word in a clause that addresses
// someone ("you", a second-person ending, "Ты безмозглый тролль") and
// names no group is an attack, shown as an insult hit. Structure-only
// categories never survive as hits of their own.
func structure(hits []lexHit, words, fwords []string, clause []int32, lang string) structureResult {
	var res structureResult
	// Only a people (group, slur) or something said of a person (insult,
	// vice, dehumanizing word) can start a link; without one, the
	// structure-only hits are just dropped, in place.
	linkable, counter := false, false
	for _, h := range hits {
		switch h.cat {
		case catGroup, catSlur, catInsult, catVice, catDehuman:
			linkable = true
		case catCounter:
			counter = true
		}
	}
	res.counter = counter
	if !linkable {
		out := hits[:0]
		for _, h := range hits {
			if !isStructureCat(h.cat) && h.cat != catVice {
				out = append(out, h)
			}
		}
		res.hits = out
		return res
	}
	// Per clause: flags of what it has.
	const (
		hasGroup = 1 << iota
		hasEssential
		hasAnaphor
		hasAddress
	)
	flags := make([]uint8, clause[len(clause)-1]+1)
	in := func(c int32, f uint8) bool { return c >= 0 && flags[c]&f != 0 }
	stateAt := func(i int) bool {
		for _, h := range hits {
			if h.cat == catState && h.from <= i && i < h.to {
				return true
			}
		}
		return false
	}
	// negated reports whether a negation undoes predicate p: one up to
	// negationWindow words before it in its clause, or a negative copula
	// right after it ("asalak değildir", "մակաբույծ չեն").
	negated := func(p lexHit) bool {
		for _, h := range hits {
			if clause[h.from] != clause[p.from] {
				continue
			}
			if h.cat == catNegation && h.from < p.from && p.from-h.from <= negationWindow ||
				h.cat == catNegCopula && h.from >= p.to && h.from <= p.to+1 {
				return true
			}
		}
		return false
	}
	blocked := func(p int) bool {
		for k := p - 1; k >= 0 && k >= p-2 && clause[k] == clause[p]; k-- {
			if blockingPrepositions[words[k]] {
				return true
			}
		}
		return false
	}
	var groups []int
	for gi, g := range hits {
		if g.cat != catGroup && g.cat != catSlur {
			continue
		}
		// "the Turkish army", "власти Азербайджана": a state, not a people.
		// A Turkish or Azerbaijani plural is the people itself
		// ("Ermeniler ordularının…").
		plural := (lang == langTr || lang == langAz) && turkicPlural(words[g.to-1])
		if !plural && (g.from > 0 && stateAt(g.from-1) || stateAt(g.to)) {
			continue
		}
		groups = append(groups, gi)
		flags[clause[g.from]] |= hasGroup
	}
	paired := make([]bool, len(hits))
	for _, h := range hits {
		switch h.cat {
		case catEssential:
			flags[clause[h.from]] |= hasEssential
		case catAnaphor:
			flags[clause[h.from]] |= hasAnaphor
		case catAddress:
			flags[clause[h.from]] |= hasAddress
		}
	}
	// A call to violence or expulsion with a pronoun for the group named
	// in the clause before ("The only good Turk is a dead Turk. Kill them
	// all.").
	if !counter {
		for pi, p := range hits {
			c := clause[p.from]
			if (p.cat == catViolent || p.cat == catExpel) && in(c, hasAnaphor) && !in(c, hasGroup) && in(c-1, hasGroup) && !negated(p) {
				paired[pi] = true
				res.severity = max(res.severity, map[string]int{catViolent: sevViolent, catExpel: sevExpel}[p.cat])
			}
		}
	}
	if !counter {
		for _, gi := range groups {
			if hits[gi].cat == catSlur && !negated(hits[gi]) && !noFloorSlur(words[hits[gi].from]) {
				// A slur for a people is an insult to it on its own.
				paired[gi] = true
				res.severity = max(res.severity, sevInsult)
			}
			g := hits[gi]
			for pi, p := range hits {
				sev := sevNone
				switch p.cat {
				case catViolent:
					sev = sevViolent
				case catExpel:
					sev = sevExpel
				case catDehuman:
					sev = sevDehuman
				case catVice, catInsult:
					sev = sevInsult
					if in(clause[p.from], hasEssential) {
						sev = sevEssential
					}
				}
				if sev == sevNone || clause[p.from] != clause[g.from] || max(p.from-g.to, g.from-p.to) >= linkWindow {
					continue
				}
				if negated(p) || p.from > g.from && blocked(p.from) {
					continue
				}
				paired[gi], paired[pi] = true, true
				res.severity = max(res.severity, sev)
			}
		}
	}
	// Attacks on the addressee.
	addressed := func(c int32, p lexHit) bool {
		if in(c, hasAddress) {
			return true
		}
		for i := range words {
			near := p.cat == catInsult || i < p.from && p.from-i <= addressWindow || i >= p.to && i-p.to < 2
			if clause[i] == c && near && secondPerson[words[i]] {
				return true
			}
		}
		w := words[p.to-1]
		if (lang == langTr || lang == langAz) && secondPersonSuffix(w) {
			return true
		}
		// Armenian "… ես"/"… եք" right after the insult is "you are".
		for k := p.to; k < len(words) && k <= p.to+1 && clause[k] == c; k++ {
			if f := fwords[k]; (lang == langHy || lang == langHyLatn) && (f == "es" || f == "eq") {
				return true
			}
		}
		return false
	}
	attackAt := make([]bool, len(hits))
	for pi, p := range hits {
		switch p.cat {
		case catInsult, catVice, catDehuman:
		default:
			continue
		}
		c := clause[p.from]
		if in(c, hasGroup) || negated(p) || !addressed(c, p) {
			continue
		}
		attackAt[pi] = true
		res.attack = true
	}
	out := make([]lexHit, 0, len(hits)+2)
	for i, h := range hits {
		switch {
		case paired[i]:
			h.cat = catGroupHate
			out = append(out, h)
		case attackAt[i]:
			h.cat = catInsult
			out = append(out, h)
		case !isStructureCat(h.cat) && h.cat != catVice:
			out = append(out, h)
		}
	}
	res.hits = out
	return res
}

// noFloorSlur reports whether a listed slur is one that does not make a
// comment hate speech on its own: "nigga", mostly in-group use in the
// Davidson tweets (labeled offensive, not hate), and "retard", mostly a
// generic insult. They stay slur evidence, and the model's own score
// decides.
func noFloorSlur(w string) bool {
	return strings.HasPrefix(w, "nigga") || strings.HasPrefix(w, "retard")
}

// turkicPlural reports whether a Turkish or Azerbaijani word has the
// plural suffix (possibly followed by case endings).
func turkicPlural(w string) bool {
	return strings.Contains(w, "lar") || strings.Contains(w, "ler") || strings.Contains(w, "lər")
}

// secondPersonSuffix reports whether a Turkish or Azerbaijani word ends in
// a second-person copula ("aptalsın", "axmaqsan", "yalançısınız").
func secondPersonSuffix(w string) bool {
	for _, s := range []string{"sın", "sin", "sun", "sün", "sınız", "siniz", "sunuz", "sünüz", "san", "sən", "sız", "siz", "suz", "süz"} {
		if strings.HasSuffix(w, s) && len(w) > len(s)+2 {
			return true
		}
	}
	return false
}
