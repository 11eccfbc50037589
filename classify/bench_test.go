package classify

import (
	"bytes"
	"context"
	"syscall"
	"testing"
	"time"
)

// benchText is a typical 300-character news comment.
const benchText = "I have read the whole article twice and I still do not understand why the council keeps " +
	"ignoring the residents of the old town. The parking plan was rejected last year, and now they bring it " +
	"back with a new name. Honestly, whoever wrote this proposal should be ashamed. We deserve better answers!"

// cpuTime is the process's user+system CPU time. The benchmarks report it
// per operation as cpu-ns/op, which a busy shared machine distorts less
// than wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func BenchmarkClassify(b *testing.B) {
	m := mustDefault(b)
	ctx := context.Background()
	b.SetBytes(int64(len(benchText)))
	b.ReportAllocs()
	start := cpuTime()
	n := 0
	for b.Loop() {
		if _, err := m.Classify(ctx, benchText); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric(float64(cpuTime()-start)/float64(n), "cpu-ns/op")
}

func BenchmarkLoadDefault(b *testing.B) {
	for b.Loop() {
		if _, err := Load(bytes.NewReader(defaultModel)); err != nil {
			b.Fatal(err)
		}
	}
}
