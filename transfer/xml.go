package transfer

import (
	"bufio"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// xmlStream is the streaming XML reader under the Disqus and WXR decoders.
// It reads token by token, never resolves external entities (encoding/xml
// has no DTD processing) and refuses a DOCTYPE that declares entities, so
// neither "billion laughs" nor XXE can apply. HTML's named entities
// (&nbsp;, &eacute;) are understood, as exports use them.
type xmlStream struct {
	format string
	d      *xml.Decoder
}

func newXMLStream(format string, r io.Reader) *xmlStream {
	d := xml.NewDecoder(bufio.NewReaderSize(r, 1<<20))
	d.Strict = true
	d.Entity = xml.HTMLEntity
	d.CharsetReader = func(label string, in io.Reader) (io.Reader, error) {
		switch strings.ToLower(label) {
		case "utf-8", "utf8", "us-ascii", "ascii":
			return in, nil
		}
		return nil, fmt.Errorf("the file is in %s; convert it to UTF-8 first (iconv -f %s -t UTF-8)", label, label)
	}
	return &xmlStream{format: format, d: d}
}

func (x *xmlStream) line() int {
	l, _ := x.d.InputPos()
	return l
}

// fail turns a decoding error into a *SyntaxError with the position.
func (x *xmlStream) fail(err error) error {
	var se *SyntaxError
	if errors.As(err, &se) {
		return err
	}
	var xe *xml.SyntaxError
	if errors.As(err, &xe) {
		msg := xe.Msg
		if msg == "unexpected EOF" {
			msg = "unexpected end of file (is it truncated?)"
		}
		return &SyntaxError{Format: x.format, Line: xe.Line, Msg: msg}
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return &SyntaxError{Format: x.format, Line: x.line(), Msg: "unexpected end of file (is it truncated?)"}
	}
	return &SyntaxError{Format: x.format, Line: x.line(), Msg: err.Error()}
}

// token returns the next token, refusing entity declarations.
func (x *xmlStream) token() (xml.Token, error) {
	tok, err := x.d.Token()
	if err != nil {
		return nil, err
	}
	if dir, ok := tok.(xml.Directive); ok {
		s := strings.ToUpper(string(dir))
		if strings.Contains(s, "<!ENTITY") || strings.Contains(s, "ENTITY ") || strings.Contains(s, "SYSTEM") || strings.Contains(s, "PUBLIC") {
			return nil, &SyntaxError{Format: x.format, Line: x.line(), Msg: "the file declares entities or an external DTD, which are refused"}
		}
	}
	return tok, nil
}

// root reads up to the document element and checks its name.
func (x *xmlStream) root(name, what string) error {
	for {
		tok, err := x.token()
		if err == io.EOF {
			return &SyntaxError{Format: x.format, Line: x.line(), Msg: "the file is empty or not XML"}
		}
		if err != nil {
			return x.fail(err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			if se.Name.Local != name {
				return &SyntaxError{Format: x.format, Line: x.line(),
					Msg: fmt.Sprintf("the document element is <%s>, not <%s>: this is not %s", se.Name.Local, name, what)}
			}
			return nil
		}
		if cd, ok := tok.(xml.CharData); ok && len(strings.TrimSpace(string(cd))) > 0 {
			return &SyntaxError{Format: x.format, Line: x.line(), Msg: "text before the document element: this is not XML"}
		}
	}
}

// child returns the next child element of the current element, or ok false
// when the current element ends. At the end of the document it checks that
// nothing but whitespace follows.
func (x *xmlStream) child() (se xml.StartElement, ok bool, err error) {
	for {
		tok, err := x.token()
		if err != nil {
			return se, false, x.fail(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			return t, true, nil
		case xml.EndElement:
			return se, false, nil
		}
	}
}

// end checks that the document ends after the document element.
func (x *xmlStream) end() error {
	for {
		tok, err := x.token()
		if err == io.EOF {
			return io.EOF
		}
		if err != nil {
			return x.fail(err)
		}
		if _, ok := tok.(xml.StartElement); ok {
			return &SyntaxError{Format: x.format, Line: x.line(), Msg: "more than one document element"}
		}
	}
}

// text reads the character data of the current element (CDATA included).
func (x *xmlStream) text(se xml.StartElement) (string, error) {
	var s string
	if err := x.d.DecodeElement(&s, &se); err != nil {
		return "", x.fail(err)
	}
	return s, nil
}

// decode reads the current element into v.
func (x *xmlStream) decode(v any, se xml.StartElement) error {
	if err := x.d.DecodeElement(v, &se); err != nil {
		return x.fail(err)
	}
	return nil
}

// xmlBool reads the true/false (or 1/0) of Disqus and WordPress flags.
func xmlBool(s string) bool {
	s = strings.TrimSpace(strings.ToLower(s))
	return s == "true" || s == "1"
}

// queue is a FIFO of decoded records for decoders that emit several records
// per element.
type queue []Record

func (q *queue) pop() (Record, bool) {
	if len(*q) == 0 {
		return Record{}, false
	}
	r := (*q)[0]
	(*q)[0] = Record{}
	*q = (*q)[1:]
	return r, true
}
