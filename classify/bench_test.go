package classify

import (
	"context"
	"os"
	"testing"
)

// benchText is a typical 300-character news comment.
const benchText = "I have read the whole article twice and I still do not understand why the council keeps " +
	"ignoring the residents of the old town. The parking plan was rejected last year, and now they bring it " +
	"back with a new name. Honestly, whoever wrote this proposal should be ashamed. We deserve better answers!"

func loadForBench(b *testing.B) *Model {
	b.Helper()
	f, err := os.Open("model.bin")
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	m, err := Load(f)
	if err != nil {
		b.Fatal(err)
	}
	return m
}

func BenchmarkClassify(b *testing.B) {
	m := loadForBench(b)
	ctx := context.Background()
	b.SetBytes(int64(len(benchText)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.Classify(ctx, benchText); err != nil {
			b.Fatal(err)
		}
	}
}
