package classify

import (
	"context"
	"math/rand/v2"
	"slices"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/adapter"
)

// SimPoint is the state of a simulated site after some moderator
// decisions: ROC-AUC per label on the site's comments not yet decided
// (Own), and on another site's comments scored through this site's
// adapter (Other; a real other site has its own adapter and is not
// affected at all). A label with one class in the rows is left out.
type SimPoint struct {
	Decisions int                      `json:"decisions"`
	Rest      int                      `json:"rest"`
	Own       map[parley.Label]float64 `json:"own"`
	Other     map[parley.Label]float64 `json:"other,omitempty"`
}

// SimulationCheckpoints are the decision counts SimulateModeration reports.
var SimulationCheckpoints = []int{0, 50, 100, 200, 500, 1000}

// SimulateModeration replays stream, shuffled with seed, as one site's
// moderator decisions through the per-site adapter over m, and reports
// after each checkpoint (while decisions remain) the ROC-AUC on the rest of
// the stream and on other. A row's decision follows its labels: hate
// speech, personal attack and obscenity are rejections with that reason,
// spam is spam, a row clean on every label is approved, and a row labeled
// only toxic (OffensEval) is rejected with the reason the model suggests,
// or personal_attack when it suggests none. Rows with no label decide
// nothing.
func SimulateModeration(ctx context.Context, m *Model, stream, other []Row, seed uint64) ([]SimPoint, error) {
	stream = append([]Row(nil), stream...)
	rng := rand.New(rand.NewPCG(seed, seed+1))
	rng.Shuffle(len(stream), func(i, j int) { stream[i], stream[j] = stream[j], stream[i] })
	verdicts := func(rows []Row) ([]parley.Verdict, error) {
		out := make([]parley.Verdict, len(rows))
		for i, r := range rows {
			v, err := m.Classify(ctx, r.Text)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	}
	sv, err := verdicts(stream)
	if err != nil {
		return nil, err
	}
	ov, err := verdicts(other)
	if err != nil {
		return nil, err
	}
	texts := func(rows []Row) []adapter.Text {
		out := make([]adapter.Text, len(rows))
		for i, r := range rows {
			out[i] = adapter.Prepare(r.Text)
		}
		return out
	}
	st, ot := texts(stream), texts(other)
	ad := adapter.NewOnline()
	var points []SimPoint
	decided := 0
	for _, k := range SimulationCheckpoints {
		if k >= len(stream) {
			break
		}
		for ; decided < k; decided++ {
			if to, reason, ok := simulatedDecision(stream[decided], sv[decided]); ok {
				ad.Learn(st[decided], sv[decided], to, reason)
			}
		}
		p := SimPoint{Decisions: k, Rest: len(stream) - k, Own: simAUC(ad, stream[k:], st[k:], sv[k:])}
		if len(other) > 0 {
			p.Other = simAUC(ad, other, ot, ov)
		}
		points = append(points, p)
	}
	return points, nil
}

// simulatedDecision is the moderator decision a labeled row stands for.
func simulatedDecision(r Row, v parley.Verdict) (parley.Status, parley.Reason, bool) {
	switch {
	case r.Labels[2] == 1:
		return parley.StatusRejected, parley.ReasonHateSpeech, true
	case r.Labels[1] == 1:
		return parley.StatusRejected, parley.ReasonPersonalAttack, true
	case r.Labels[3] == 1:
		return parley.StatusRejected, parley.ReasonObscenity, true
	case r.Labels[spamLabel] == 1:
		return parley.StatusSpam, "", true
	case r.Labels[0] == 1:
		switch v.SuggestedReason {
		case parley.ReasonHateSpeech, parley.ReasonPersonalAttack, parley.ReasonObscenity:
			return parley.StatusRejected, v.SuggestedReason, true
		}
		return parley.StatusRejected, parley.ReasonPersonalAttack, true
	case r.Labels[0] == 0 && r.Labels[spamLabel] != 1:
		return parley.StatusApproved, "", true
	}
	return "", "", false
}

// simAUC is the ROC-AUC per label of rows scored by base verdicts moved by
// the adapter.
func simAUC(ad *adapter.Online, rows []Row, texts []adapter.Text, base []parley.Verdict) map[parley.Label]float64 {
	adjusted := make([]parley.Verdict, len(rows))
	for i := range rows {
		adjusted[i] = ad.Adjust(texts[i], base[i])
	}
	out := map[parley.Label]float64{}
	for l, label := range parley.Labels {
		var ys []int8
		var ps []float64
		pos := 0
		for i, r := range rows {
			if r.Labels[l] < 0 {
				continue
			}
			ys = append(ys, r.Labels[l])
			ps = append(ps, adjusted[i].Scores[label])
			pos += int(r.Labels[l])
		}
		if pos == 0 || pos == len(ys) {
			continue
		}
		out[label] = round4(rocAUC(ys, ps))
	}
	return out
}

// MeanSimulation averages the runs of SimulateModeration (with several
// seeds) point by point, over the checkpoints and labels every run has.
func MeanSimulation(runs [][]SimPoint) []SimPoint {
	if len(runs) == 0 {
		return nil
	}
	n := len(runs[0])
	for _, r := range runs {
		n = min(n, len(r))
	}
	mean := func(get func(SimPoint) map[parley.Label]float64, k int) map[parley.Label]float64 {
		if get(runs[0][k]) == nil {
			return nil
		}
		out := map[parley.Label]float64{}
		for l := range get(runs[0][k]) {
			sum, ok := 0.0, true
			for _, r := range runs {
				v, has := get(r[k])[l]
				ok = ok && has
				sum += v
			}
			if ok {
				out[l] = round4(sum / float64(len(runs)))
			}
		}
		return out
	}
	out := make([]SimPoint, n)
	for k := range out {
		out[k] = SimPoint{Decisions: runs[0][k].Decisions, Rest: runs[0][k].Rest,
			Own:   mean(func(p SimPoint) map[parley.Label]float64 { return p.Own }, k),
			Other: mean(func(p SimPoint) map[parley.Label]float64 { return p.Other }, k)}
	}
	return out
}

// SimGain is the spread over shuffles of one label's ROC-AUC gain on the
// site's own rest after some decisions, against the same shuffle's start.
type SimGain struct {
	Decisions int          `json:"decisions"`
	Label     parley.Label `json:"label"`
	// Gains holds each shuffle's gain, in increasing order.
	Gains []float64 `json:"gains"`
}

// SimulationGains lists, for every checkpoint after the first and every
// label all runs have, the gain of each run (sorted), so that a report can
// show the spread over shuffles and not only the mean.
func SimulationGains(runs [][]SimPoint) []SimGain {
	if len(runs) == 0 {
		return nil
	}
	n := len(runs[0])
	for _, r := range runs {
		n = min(n, len(r))
	}
	var out []SimGain
	for k := 1; k < n; k++ {
		for _, l := range parley.Labels {
			g := SimGain{Decisions: runs[0][k].Decisions, Label: l}
			for _, r := range runs {
				v, ok := r[k].Own[l]
				v0, ok0 := r[0].Own[l]
				if !ok || !ok0 {
					g.Gains = nil
					break
				}
				g.Gains = append(g.Gains, round4(v-v0))
			}
			if len(g.Gains) == len(runs) {
				slices.Sort(g.Gains)
				out = append(out, g)
			}
		}
	}
	return out
}
