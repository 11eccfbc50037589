package adapter

import (
	"context"
	"math"
	"testing"

	"github.com/parley-comments/parley"
)

func verdict(p float64) parley.Verdict {
	s := map[parley.Label]float64{}
	for _, l := range parley.Labels {
		s[l] = p
	}
	return parley.Verdict{Language: "hy", Scores: s}
}

func TestEmptyAdapterChangesNothing(t *testing.T) {
	t.Parallel()
	base := verdict(0.3)
	got, err := Adapter{}.Adjust(context.Background(), nil, "some text", base)
	if err != nil || got.Scores[parley.LabelToxic] != 0.3 {
		t.Fatalf("got %v %v", got.Scores, err)
	}
}

// TestDecisionsMoveScoresTowardThem: a site whose moderators keep rejecting
// a local slur the base model does not know learns to score it, while an
// unrelated comment barely moves.
func TestDecisionsMoveScoresTowardThem(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a := Adapter{}
	var st []byte
	slurs := []string{"these qorpuk people again", "qorpuk go home", "typical qorpuk behaviour", "never trust a qorpuk"}
	clean := []string{"the bridge opened today", "thanks for the report", "the timetable changed again", "prices went up in the market"}
	base := verdict(0.1)
	probe, unrelated := "qorpuk everywhere", "the market opened today"
	before, _ := a.Adjust(ctx, st, probe, base)
	beforeU, _ := a.Adjust(ctx, st, unrelated, base)
	for round := 0; round < 5; round++ {
		for _, s := range slurs {
			var err error
			if st, err = a.Learn(ctx, st, s, base, parley.StatusRejected, parley.ReasonHateSpeech); err != nil {
				t.Fatal(err)
			}
		}
		for _, c := range clean {
			var err error
			if st, err = a.Learn(ctx, st, c, base, parley.StatusApproved, ""); err != nil {
				t.Fatal(err)
			}
		}
	}
	after, _ := a.Adjust(ctx, st, probe, base)
	afterU, _ := a.Adjust(ctx, st, unrelated, base)
	hs := parley.LabelHateSpeech
	t.Logf("hate_speech on %q: %.3f -> %.3f; on %q: %.3f -> %.3f", probe, before.Scores[hs], after.Scores[hs], unrelated, beforeU.Scores[hs], afterU.Scores[hs])
	if after.Scores[hs] < 0.5 {
		t.Fatalf("hate_speech for the learned slur moved only %.3f -> %.3f", before.Scores[hs], after.Scores[hs])
	}
	if afterU.Scores[hs] > beforeU.Scores[hs] {
		t.Fatalf("an unrelated approved-style comment rose %.3f -> %.3f", beforeU.Scores[hs], afterU.Scores[hs])
	}
	if after.Scores[parley.LabelSpam] > 0.1+1e-9 {
		t.Fatalf("hate-speech rejections moved spam: %.3f", after.Scores[parley.LabelSpam])
	}
	if n, _ := a.Decisions(st); n != 40 {
		t.Fatalf("decisions = %d, want 40", n)
	}
}

// TestBurstIsBounded: a thousand approvals of a toxic comment cannot move
// its score further than MaxShift in logit space.
func TestBurstIsBounded(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a := Adapter{}
	base := verdict(0.95)
	var st []byte
	var err error
	for i := 0; i < 1000; i++ {
		if st, err = a.Learn(ctx, st, "you absolute clown", base, parley.StatusApproved, ""); err != nil {
			t.Fatal(err)
		}
	}
	got, _ := a.Adjust(ctx, st, "you absolute clown", base)
	floor := 1 / (1 + math.Exp(-(math.Log(0.95/0.05) - MaxShift)))
	if got.Scores[parley.LabelToxic] < floor-1e-9 {
		t.Fatalf("score fell to %.4f, below the bound %.4f", got.Scores[parley.LabelToxic], floor)
	}
}

func TestOffTopicTeachesNothing(t *testing.T) {
	t.Parallel()
	st, err := Adapter{}.Learn(context.Background(), nil, "talk about football", verdict(0.2), parley.StatusRejected, parley.ReasonOffTopic)
	if err != nil || st != nil {
		t.Fatalf("off_topic changed the state: %v %v", st, err)
	}
}

func TestStateRoundTripAndCorruption(t *testing.T) {
	t.Parallel()
	st, err := Adapter{}.Learn(context.Background(), nil, "buy cheap pills now", verdict(0.2), parley.StatusSpam, "")
	if err != nil {
		t.Fatal(err)
	}
	d, err := decode(st)
	if err != nil || len(d.features) == 0 || string(d.encode()) != string(st) {
		t.Fatalf("round trip: %v", err)
	}
	for _, bad := range [][]byte{[]byte("nope"), st[:len(st)-3], append([]byte("PAD1"), 0, 0)} {
		if _, err := (Adapter{}).Adjust(context.Background(), bad, "x", verdict(0.2)); err == nil {
			t.Fatalf("corrupt state %q accepted", bad)
		}
	}
}

func FuzzDecode(f *testing.F) {
	st, _ := Adapter{}.Learn(context.Background(), nil, "buy cheap pills now", verdict(0.2), parley.StatusSpam, "")
	f.Add(st)
	f.Add([]byte("PAD1"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		d, err := decode(raw)
		if err != nil {
			return
		}
		if _, err := decode(d.encode()); err != nil {
			t.Fatalf("re-encoding a decoded state fails: %v", err)
		}
	})
}

// A state written before the prequential losses existed ("PAD1") still
// reads, with no losses, so its shifts apply in full.
func TestVersion1StatesStillRead(t *testing.T) {
	ctx := context.Background()
	st, err := Adapter{}.Learn(ctx, nil, "qorpuk everywhere", verdict(0.1), parley.StatusRejected, parley.ReasonHateSpeech)
	if err != nil {
		t.Fatal(err)
	}
	lossBytes := 4 * nLabels * len(mixes)
	v1 := append(append([]byte("PAD1"), st[4:8]...), st[8+lossBytes:]...)
	d, err := decode(v1)
	if err != nil {
		t.Fatalf("v1 state: %v", err)
	}
	if d.decisions != 1 || len(d.features) == 0 || d.mix(2) != 1 {
		t.Errorf("v1 state decoded as %d decisions, %d features, mix %v", d.decisions, len(d.features), d.mix(2))
	}
}

// An adapter whose shifts keep predicting the site's decisions worse than
// the base model is faded out: the same comment approved and rejected in
// turn leaves its hate_speech score near the base.
func TestUnhelpfulShiftsFadeOut(t *testing.T) {
	ctx := context.Background()
	var st []byte
	var err error
	base := verdict(0.5)
	for i := 0; i < 40; i++ {
		to, reason := parley.StatusApproved, parley.Reason("")
		if i%2 == 1 {
			to, reason = parley.StatusRejected, parley.ReasonHateSpeech
		}
		if st, err = (Adapter{}).Learn(ctx, st, "a contested comment", base, to, reason); err != nil {
			t.Fatal(err)
		}
	}
	d, _ := decode(st)
	if m := d.mix(2); m == 1 {
		t.Errorf("mix = %v after contradictory decisions, want less than 1 (losses %v)", m, d.loss[2])
	}
}
