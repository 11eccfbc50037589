package httpapi

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/png"
	"net/http"
)

// favicon is Parley's icon as an .ico file: a 32×32 speech bubble drawn at
// start-up (a PNG inside the ICO container, which every browser reads), so
// no binary asset is checked in.
var favicon = mustFavicon()

func mustFavicon() []byte {
	const n = 32
	img := image.NewNRGBA(image.Rect(0, 0, n, n))
	blue := color.NRGBA{R: 0x1f, G: 0x4e, B: 0x9d, A: 0xff}
	white := color.NRGBA{R: 0xff, G: 0xff, B: 0xff, A: 0xff}
	in := func(x, y, x0, y0, x1, y1, r int) bool { // inside a rounded rectangle
		if x < x0 || x > x1 || y < y0 || y > y1 {
			return false
		}
		cx, cy := min(max(x, x0+r), x1-r), min(max(y, y0+r), y1-r)
		return (x-cx)*(x-cx)+(y-cy)*(y-cy) <= r*r
	}
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			switch {
			case in(x, y, 2, 3, 29, 23, 6), y >= 23 && y <= 29 && x >= 7 && x <= 13 && x-7 <= 29-y:
				img.SetNRGBA(x, y, blue) // the bubble and its tail
			}
			// Three dots inside the bubble.
			for _, cx := range []int{9, 16, 23} {
				if (x-cx)*(x-cx)+(y-13)*(y-13) <= 5 {
					img.SetNRGBA(x, y, white)
				}
			}
		}
	}
	var p bytes.Buffer
	if err := png.Encode(&p, img); err != nil {
		panic(err)
	}
	var b bytes.Buffer
	// ICONDIR, one ICONDIRENTRY, then the PNG.
	_ = binary.Write(&b, binary.LittleEndian, [3]uint16{0, 1, 1})
	_ = binary.Write(&b, binary.LittleEndian, struct {
		W, H, Colors, Reserved uint8
		Planes, BPP            uint16
		Size, Offset           uint32
	}{n, n, 0, 0, 1, 32, uint32(p.Len()), 6 + 16})
	b.Write(p.Bytes())
	return b.Bytes()
}

func handleFavicon(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "image/x-icon")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	_, _ = w.Write(favicon)
}
