package httpapi_test

import (
	"bytes"
	"encoding/binary"
	"image/png"
	"io"
	"net/http"
	"testing"
)

// /favicon.ico is a real icon, from the real router.
func TestFavicon(t *testing.T) {
	e := newEnv(t)
	res, err := http.Get(e.srv.URL + "/favicon.ico")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/x-icon" {
		t.Fatalf("GET /favicon.ico: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	var hdr [3]uint16
	if err := binary.Read(bytes.NewReader(b), binary.LittleEndian, &hdr); err != nil || hdr != [3]uint16{0, 1, 1} {
		t.Fatalf("ICO header %v %v", hdr, err)
	}
	img, err := png.Decode(bytes.NewReader(b[22:]))
	if err != nil || img.Bounds().Dx() != 32 {
		t.Fatalf("embedded PNG: %v", err)
	}
}
