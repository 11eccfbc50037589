package textnorm

import "testing"

func BenchmarkNormalize(b *testing.B) {
	const s = "I have read the whole article twice and I still do not understand why the council keeps " +
		"ignoring the residents of the old town. The parking plan was rejected last year, and now they bring it " +
		"back with a new name. Honestly, whoever wrote this proposal should be ashamed. We deserve better answers!"
	b.SetBytes(int64(len(s)))
	b.ReportAllocs()
	for b.Loop() {
		Normalize(s)
	}
}
