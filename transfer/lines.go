package transfer

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"io"
)

// maxLine is the longest JSON line the line-based decoders accept.
const maxLine = 16 << 20

// lineReader reads lines of a JSON lines file, gunzipping it when it starts
// with the gzip magic number, and counts lines for error positions.
type lineReader struct {
	format string
	sc     *bufio.Scanner
	line   int
}

func newLineReader(format string, r io.Reader) (*lineReader, error) {
	br := bufio.NewReaderSize(r, 1<<20)
	if magic, err := br.Peek(2); err == nil && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, &SyntaxError{Format: format, Msg: "bad gzip header: " + err.Error()}
		}
		r = zr
	} else {
		r = br
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<20), maxLine)
	return &lineReader{format: format, sc: sc}, nil
}

// next returns the next non-blank line, or io.EOF.
func (l *lineReader) next() ([]byte, error) {
	for l.sc.Scan() {
		l.line++
		b := bytes.TrimSpace(l.sc.Bytes())
		if len(b) > 0 {
			return b, nil
		}
	}
	if err := l.sc.Err(); err != nil {
		msg := err.Error()
		if err == bufio.ErrTooLong {
			msg = "a line is longer than 16 MiB"
		} else if err == io.ErrUnexpectedEOF {
			msg = "unexpected end of file (is it truncated?)"
		}
		return nil, &SyntaxError{Format: l.format, Line: l.line + 1, Msg: msg}
	}
	return nil, io.EOF
}
