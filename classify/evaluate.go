package classify

import (
	"context"
	"math"
	"sort"
	"time"

	"github.com/parley-comments/parley"
)

// LabelMetrics are one label's measurements on rows where the label is
// known. MacroF1, Precision and Recall are taken at Threshold, the model's
// shipped threshold.
type LabelMetrics struct {
	N         int     `json:"n"`
	Positives int     `json:"positives"`
	ROCAUC    float64 `json:"roc_auc"`
	PRAUC     float64 `json:"pr_auc"`
	MacroF1   float64 `json:"macro_f1"`
	F1        float64 `json:"f1"` // of the positive class
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	Threshold float64 `json:"threshold"`
}

// Report is the result of Evaluate. NaN metrics (a label with only one
// class) are reported as -1.
type Report struct {
	N                  int                                      `json:"n"`
	CommentsPerSecond  float64                                  `json:"comments_per_second"`
	Labels             map[parley.Label]LabelMetrics            `json:"labels"`
	ByLanguage         map[string]map[parley.Label]LabelMetrics `json:"by_language"`
	BySource           map[string]map[parley.Label]LabelMetrics `json:"by_source"`
	LanguageAccuracy   float64                                  `json:"language_accuracy"` // detected == row lang
	LanguageConfusions map[string]map[string]int                `json:"language_confusions,omitempty"`
	// Civil counts the rows labeled clean on every label, and how many of
	// them would get a suggested reason (a reason label at or above its
	// threshold for the detected language), as in the queue.
	Civil CivilReport `json:"civil"`
}

// CivilReport is how often clean comments get a suggested reason.
type CivilReport struct {
	N       int     `json:"n"`
	Flagged int     `json:"flagged"`
	Rate    float64 `json:"rate"` // -1 when N is 0
}

// Evaluate scores rows with m and measures every label that has known
// values, overall and per language (the rows' lang column), at the model's
// base thresholds.
func Evaluate(ctx context.Context, m *Model, rows []Row) (*Report, error) {
	start := time.Now()
	preds := make([][nLabels]float64, len(rows))
	langs := make([]string, len(rows))
	sc := &scratch{}
	for i, r := range rows {
		if i%2000 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		a := m.extract(r.Text, sc)
		preds[i] = m.scores(a, sc)
		langs[i] = a.lang
	}
	elapsed := time.Since(start).Seconds()
	rep := &Report{N: len(rows), Labels: map[parley.Label]LabelMetrics{},
		ByLanguage: map[string]map[parley.Label]LabelMetrics{}, BySource: map[string]map[parley.Label]LabelMetrics{},
		LanguageConfusions: map[string]map[string]int{}}
	if elapsed > 0 {
		rep.CommentsPerSecond = math.Round(float64(len(rows)) / elapsed)
	}
	byLang := map[string][]int{}
	right, withLang := 0, 0
	for i, r := range rows {
		byLang[r.Lang] = append(byLang[r.Lang], i)
		if r.Lang != "" {
			withLang++
			if langs[i] == r.Lang {
				right++
			} else {
				if rep.LanguageConfusions[r.Lang] == nil {
					rep.LanguageConfusions[r.Lang] = map[string]int{}
				}
				rep.LanguageConfusions[r.Lang][langs[i]]++
			}
		}
	}
	rep.LanguageAccuracy = ratio(right, withLang)
	for i, r := range rows {
		if !isCivil(r) {
			continue
		}
		rep.Civil.N++
		for l := 1; l < nLabels; l++ {
			if preds[i][l] >= m.Threshold(langs[i], parley.Labels[l]) {
				rep.Civil.Flagged++
				break
			}
		}
	}
	rep.Civil.Rate = -1
	if rep.Civil.N > 0 {
		rep.Civil.Rate = round4(float64(rep.Civil.Flagged) / float64(rep.Civil.N))
	}
	all := make([]int, len(rows))
	for i := range all {
		all[i] = i
	}
	rep.Labels = m.metrics(rows, preds, all, func(i int) string { return rows[i].Lang })
	keys := make([]string, 0, len(byLang))
	for k := range byLang {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if lm := m.metrics(rows, preds, byLang[k], func(int) string { return k }); len(lm) > 0 {
			rep.ByLanguage[k] = lm
		}
	}
	bySource := map[string][]int{}
	for i, r := range rows {
		bySource[r.Source] = append(bySource[r.Source], i)
	}
	for src, which := range bySource {
		if lm := m.metrics(rows, preds, which, func(i int) string { return rows[i].Lang }); len(lm) > 0 {
			rep.BySource[src] = lm
		}
	}
	return rep, nil
}

// metrics measures rows[which]; langOf gives the language whose threshold
// applies to a row ("" for the label's base threshold).
func (m *Model) metrics(rows []Row, preds [][nLabels]float64, which []int, langOf func(int) string) map[parley.Label]LabelMetrics {
	out := map[parley.Label]LabelMetrics{}
	for l, label := range parley.Labels {
		var ys []int8
		var ps []float64
		var c confusion
		t := -1.0
		for _, i := range which {
			if rows[i].Labels[l] < 0 {
				continue
			}
			ys = append(ys, rows[i].Labels[l])
			ps = append(ps, preds[i][l])
			ti := m.baseThreshold(langOf(i), l)
			if t < 0 {
				t = ti
			} else if t != ti {
				t = math.NaN() // several thresholds apply
			}
			c = c.add(rows[i].Labels[l], preds[i][l] >= ti)
		}
		if len(ys) == 0 {
			continue
		}
		if math.IsNaN(t) {
			t = -1
		}
		lm := LabelMetrics{N: len(ys), Positives: c.tp + c.fn, ROCAUC: round4(rocAUC(ys, ps)), PRAUC: round4(prAUC(ys, ps)),
			MacroF1: round4(c.macroF1()), F1: round4(c.f1()), Precision: round4(c.precision()), Recall: round4(c.recall()), Threshold: t}
		out[label] = lm
	}
	return out
}

func round4(x float64) float64 {
	if math.IsNaN(x) {
		return -1
	}
	return math.Round(x*10000) / 10000
}

// isCivil reports whether every label of r is known and 0.
func isCivil(r Row) bool {
	for _, y := range r.Labels {
		if y != 0 {
			return false
		}
	}
	return true
}
