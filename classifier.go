package parley

import "context"

// Label is one classifier output.
type Label string

// Classifier labels.
const (
	LabelToxic          Label = "toxic"
	LabelPersonalAttack Label = "personal_attack"
	LabelHateSpeech     Label = "hate_speech"
	LabelObscenity      Label = "obscenity"
	LabelSpam           Label = "spam"
)

// Labels lists every label.
var Labels = []Label{LabelToxic, LabelPersonalAttack, LabelHateSpeech, LabelObscenity, LabelSpam}

// Evidence marks a span of the original text that supports a label.
// Start and End are byte offsets into the original UTF-8 text, End exclusive.
type Evidence struct {
	Start int   `json:"start"`
	End   int   `json:"end"`
	Label Label `json:"label"`
}

// Verdict is the classifier's output for one text.
type Verdict struct {
	Language        string            `json:"language"` // ISO 639-1 (en, ru, hy, az, tr, ...); "hy-Latn" for Armenian translit
	Scores          map[Label]float64 `json:"scores"`   // each in [0,1]
	Evidence        []Evidence        `json:"evidence"`
	SuggestedReason Reason            `json:"suggested_reason,omitempty"` // "" when nothing stands out
}

// Classifier scores comment text. Implementations are pure Go, local and
// safe for concurrent use.
type Classifier interface {
	Classify(ctx context.Context, text string) (Verdict, error)
}

// SiteAdapter is a small per-site model layered over the frozen base
// classifier and learned online from that site's moderators' decisions.
// It is stateless: the caller loads the site's state from the Store, and
// saves what Learn returns, so several instances share one adapter.
// A nil or empty state is an adapter that has learned nothing.
type SiteAdapter interface {
	// Adjust returns the base verdict with its scores moved by the adapter.
	Adjust(ctx context.Context, state []byte, text string, base Verdict) (Verdict, error)
	// Learn returns the new state after one moderator decision on text:
	// approved (to == StatusApproved), rejected with a reason, or spam.
	// Decisions that say nothing about the labels (off_topic, other)
	// leave the state unchanged.
	Learn(ctx context.Context, state []byte, text string, base Verdict, to Status, reason Reason) ([]byte, error)
	// Decisions returns how many decisions a state has learned from.
	Decisions(state []byte) (int, error)
}
