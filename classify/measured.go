package classify

import (
	"context"
	"hash/fnv"
	"sort"
)

// Halves of a labeled sample used to set thresholds from measured
// precision: thresholds are chosen on the tune half and reported on the
// held-out half, by a hash of the text as SplitOf does.
const (
	HalfTune    = 0
	HalfHeldOut = 1
)

// HalfOf is the half of a labeled sample that text falls in.
func HalfOf(text string) int {
	h := fnv.New32a()
	h.Write([]byte("half:"))
	h.Write([]byte(text))
	return int(h.Sum32() % 2)
}

// MeasuredLangs are the languages whose thresholds TuneMeasuredThresholds
// sets: those without human-labeled training rows for every label.
var MeasuredLangs = []string{langTr, langAz, langHy, langHyLatn}

// MeasuredMinPositives is the least number of true positives a threshold
// must catch on the tune rows to be set from them.
const MeasuredMinPositives = 3

// TuneMeasuredThresholds sets, for each language of MeasuredLangs with rows
// and each label that pre-fills a reason (not toxic, which is tuned for
// macro-F1 by Train where there are labels), the least threshold in [0.5, 0.95] (steps of 0.01) at
// which the precision on rows is at least minPrecision with at least
// MeasuredMinPositives true positives. Such a threshold replaces the
// language's floors (see Threshold). A label no threshold qualifies for
// keeps the floors. A row labeled not toxic, with the reason labels
// unknown (OffensEval), is a negative for personal_attack, hate_speech and
// obscenity: with such rows, a threshold must also hold its precision on
// everyday comments, not only on a small hand-written sample. It returns
// the thresholds set, by language.
func (m *Model) TuneMeasuredThresholds(ctx context.Context, rows []Row, minPrecision float64) (map[string][nLabels]float32, error) {
	byLang := map[string][]Row{}
	for _, r := range rows {
		byLang[r.Lang] = append(byLang[r.Lang], r)
	}
	if m.measured == nil {
		m.measured = map[string][nLabels]float32{}
	}
	langs := make([]string, 0, len(byLang))
	for l := range byLang {
		langs = append(langs, l)
	}
	sort.Strings(langs)
	for _, lang := range langs {
		known := false
		for _, l := range MeasuredLangs {
			known = known || l == lang
		}
		if !known {
			continue
		}
		// Scores with the language's floors, as before any measured
		// threshold: they are what the thresholds are measured on.
		delete(m.measured, lang)
		rs := byLang[lang]
		preds, err := m.predict(ctx, rs)
		if err != nil {
			return nil, err
		}
		var set [nLabels]float32
		any := false
		for i := 1; i < nLabels; i++ {
			var ys []int8
			var ps []float64
			for k, r := range rs {
				y := r.Labels[i]
				if y < 0 && r.Labels[0] == 0 && i != spamLabel {
					y = 0 // not offensive: no attack, hate or obscenity
				}
				if y >= 0 {
					ys = append(ys, y)
					ps = append(ps, preds[k][i])
				}
			}
			for t := 50; t <= 95; t++ {
				c := confusionAt(ys, ps, float64(t)/100)
				if c.tp >= MeasuredMinPositives && float64(c.tp) >= minPrecision*float64(c.tp+c.fp) {
					set[i] = float32(t) / 100
					any = true
					break
				}
			}
		}
		if any {
			m.measured[lang] = set
		}
	}
	return m.measured, nil
}
