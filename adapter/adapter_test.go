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

// A state of the earlier online-logistic format ("PAD1", "PAD2") reads as
// a new adapter that keeps its number of decisions.
func TestOldStatesReadAsNew(t *testing.T) {
	t.Parallel()
	for _, m := range []string{"PAD1", "PAD2"} {
		old := append([]byte(m), 7, 0, 0, 0, 1, 2, 3)
		d, err := decode(old)
		if err != nil {
			t.Fatalf("%s state: %v", m, err)
		}
		if d.decisions != 7 || len(d.features) != 0 {
			t.Errorf("%s state decoded as %d decisions, %d features", m, d.decisions, len(d.features))
		}
		got, err := Adapter{}.Adjust(context.Background(), old, "anything", verdict(0.3))
		if err != nil || got.Scores[parley.LabelToxic] != 0.3 {
			t.Errorf("%s state adjusted to %v, %v", m, got.Scores, err)
		}
	}
}

// A comment approved and rejected in turn teaches nothing about itself:
// its features are as frequent on both sides, so its hate_speech score
// stays near the base.
func TestContradictoryDecisionsTeachNothing(t *testing.T) {
	t.Parallel()
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
	got, _ := Adapter{}.Adjust(ctx, st, "a contested comment", base)
	if p := got.Scores[parley.LabelHateSpeech]; math.Abs(p-0.5) > 0.05 {
		t.Errorf("hate_speech moved 0.5 -> %.3f after contradictory decisions", p)
	}
}

// Online, which evaluation uses, learns and scores exactly as Adapter does
// on the stored state.
func TestOnlineMatchesAdapter(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	texts := []string{"you are a qorpuk", "the bridge opened", "qorpuk again", "thanks for the report", "buy pills now", "nice photo"}
	decisions := []struct {
		to     parley.Status
		reason parley.Reason
	}{{parley.StatusRejected, parley.ReasonPersonalAttack}, {parley.StatusApproved, ""}, {parley.StatusRejected, parley.ReasonHateSpeech}, {parley.StatusApproved, ""}, {parley.StatusSpam, ""}, {parley.StatusApproved, ""}}
	var st []byte
	var err error
	o := NewOnline()
	for round := 0; round < 4; round++ {
		for i, text := range texts {
			base := verdict(0.1 + 0.1*float64(i))
			if st, err = (Adapter{}).Learn(ctx, st, text, base, decisions[i].to, decisions[i].reason); err != nil {
				t.Fatal(err)
			}
			o.Learn(Prepare(text), base, decisions[i].to, decisions[i].reason)
		}
	}
	if string(o.Encode()) != string(st) {
		t.Fatal("Online's state differs from Adapter's")
	}
	for _, text := range append(texts, "qorpuk bridge") {
		a, _ := Adapter{}.Adjust(ctx, st, text, verdict(0.3))
		b := o.Adjust(Prepare(text), verdict(0.3))
		for l, p := range a.Scores {
			if b.Scores[l] != p {
				t.Fatalf("%q %s: Adapter %v, Online %v", text, l, p, b.Scores[l])
			}
		}
	}
}

// TestBlendFollowsTheRecords checks the soft blend of fit: a site score
// that ranks the decided comments where the base logit does not gets
// nearly its full weight, and one that adds only noise to a base logit
// that already ranks them is nearly switched off, with the bias b0 of the
// base model taking over.
func TestBlendFollowsTheRecords(t *testing.T) {
	mk := func(baseRanks bool) *head {
		h := &head{}
		for i := 0; i < 200; i++ {
			y := float32(0)
			if i%5 == 0 {
				y = 1
			}
			noise := float32((i*37)%17)/17 - 0.5
			other := float32((i*53)%23)/23 - 0.5
			r := record{Y: y}
			if baseRanks {
				r.Base, r.Site = 1.5*y-2+2*noise, 4*other
			} else {
				r.Base, r.Site = noise-1.4, 2*y-1+noise
			}
			h.add(r)
		}
		h.fit()
		return h
	}
	learns := mk(false)
	w, _ := learns.fitAdapted()
	if float64(learns.w) < 0.95*w || learns.w <= 0 {
		t.Errorf("site score that ranks: stored w %.3f, fitted %.3f", learns.w, w)
	}
	keeps := mk(true)
	w, _ = keeps.fitAdapted()
	if float64(keeps.w) > 0.05*w {
		t.Errorf("site score that adds noise: stored w %.3f, fitted %.3f", keeps.w, w)
	}
	if b0 := keeps.fitBase(); math.Abs(float64(keeps.b)-b0) > 0.05 {
		t.Errorf("site score that adds noise: stored b %.3f, base model's b0 %.3f", keeps.b, b0)
	}
}
