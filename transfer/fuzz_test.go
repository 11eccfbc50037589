package transfer

import (
	"bytes"
	"errors"
	"io"
	"os"
	"testing"
)

// drain reads a decoder to its end; decoding must end in io.EOF or a
// *SyntaxError, never a panic or another error, within max records, and
// every record must be one of the three kinds.
func drain(t *testing.T, d Decoder, max int) {
	for range max {
		r, err := d.Next()
		if err == io.EOF {
			return
		}
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error %T %v is not a *SyntaxError", err, err)
			}
			return
		}
		n := 0
		if r.Thread != nil {
			n++
		}
		if r.Comment != nil {
			n++
		}
		if r.Skip != nil {
			n++
		}
		if n != 1 {
			t.Fatalf("record with %d kinds set", n)
		}
	}
	t.Fatalf("the decoder returned more than %d records without ending", max)
}

func fuzzFormat(f *testing.F, format string, seeds ...string) {
	for _, s := range seeds {
		data, err := os.ReadFile("testdata/" + s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := NewDecoder(format, bytes.NewReader(data), Options{BaseURL: "https://news.example"})
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("NewDecoder error %T %v is not a *SyntaxError", err, err)
			}
			return
		}
		drain(t, d, 2*len(data)+10) // every record takes at least half a byte of input
	})
}

func FuzzDisqus(f *testing.F)    { fuzzFormat(f, "disqus", "disqus.xml") }
func FuzzWordPress(f *testing.F) { fuzzFormat(f, "wordpress", "wordpress.xml") }
func FuzzRemark42(f *testing.F)  { fuzzFormat(f, "remark42", "remark42.jsonl") }
func FuzzCommento(f *testing.F)  { fuzzFormat(f, "commento", "commento.json") }
func FuzzParley(f *testing.F)    { fuzzFormat(f, "parley", "parley.jsonl") }

// TestCommentoWithoutComments: a null comments array ends the stream (it
// once looped for ever).
func TestCommentoWithoutComments(t *testing.T) {
	d, err := NewDecoder("commento", bytes.NewReader([]byte(`{"comments":null,"commenters":[]}`)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r, err := d.Next(); err != io.EOF {
		t.Fatalf("Next = %+v, %v; want io.EOF", r, err)
	}
}
