package classify

import (
	"context"
	"fmt"
	"testing"
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
