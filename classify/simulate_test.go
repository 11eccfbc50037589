package classify

import (
	"context"
	"fmt"
	"testing"

	"github.com/parley-comments/parley"
)

// A site whose moderators keep rejecting comments with a local slur that
// the base model does not know learns it: hate_speech ROC-AUC on the rest
// of the stream goes up after 50 and 100 decisions, and the simulation
// stops at the stream's end.
func TestSimulateModerationLearnsTheSitesSlur(t *testing.T) {
	m := mustDefault(t)
	var stream []Row
	places := []string{"market", "bridge", "station", "school", "hospital", "stadium", "library", "airport"}
	for i := 0; i < 160; i++ {
		p := places[i%len(places)]
		if i%2 == 0 {
			stream = append(stream, Row{Text: fmt.Sprintf("the qorpuks near the %s again, number %d", p, i), Labels: [nLabels]int8{1, 0, 1, 0, 0}})
		} else {
			stream = append(stream, Row{Text: fmt.Sprintf("the new %s opened near the river, number %d", p, i), Labels: [nLabels]int8{0, 0, 0, 0, 0}})
		}
	}
	other := []Row{
		{Text: "Armenians are vermin", Labels: [nLabels]int8{1, 0, 1, 0, 0}},
		{Text: "The bridge opened today", Labels: [nLabels]int8{0, 0, 0, 0, 0}},
	}
	points, err := SimulateModeration(context.Background(), m, stream, other, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(points) != 3 || points[2].Decisions != 100 || points[2].Rest != 60 {
		t.Fatalf("points = %+v, want checkpoints 0, 50, 100", points)
	}
	h0, h100 := points[0].Own["hate_speech"], points[2].Own["hate_speech"]
	if h100 < h0+0.05 {
		t.Errorf("hate_speech ROC-AUC on the rest: %.3f before, %.3f after 100 decisions", h0, h100)
	}
	if points[2].Other["hate_speech"] != 1 {
		t.Errorf("other site's hate_speech ROC-AUC = %v, want 1", points[2].Other)
	}
}

// SimulationGains reports each run's gain over its own start, sorted, for
// the labels and checkpoints every run has.
func TestSimulationGains(t *testing.T) {
	run := func(t0, t50, s50 float64) []SimPoint {
		return []SimPoint{
			{Decisions: 0, Own: map[parley.Label]float64{parley.LabelToxic: t0, parley.LabelSpam: 0.5}},
			{Decisions: 50, Own: map[parley.Label]float64{parley.LabelToxic: t50, parley.LabelSpam: s50}},
		}
	}
	runs := [][]SimPoint{run(0.6, 0.7, 0.6), run(0.6, 0.62, 0.55), {{Decisions: 0, Own: map[parley.Label]float64{parley.LabelToxic: 0.5}}, {Decisions: 50, Own: map[parley.Label]float64{parley.LabelToxic: 0.45}}}}
	got := SimulationGains(runs)
	if len(got) != 1 || got[0].Decisions != 50 || got[0].Label != parley.LabelToxic {
		t.Fatalf("gains = %+v, want toxic at 50 only (spam is missing from one run)", got)
	}
	if want := []float64{-0.05, 0.02, 0.1}; fmt.Sprint(got[0].Gains) != fmt.Sprint(want) {
		t.Errorf("gains = %v, want %v", got[0].Gains, want)
	}
}
