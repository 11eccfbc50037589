package sqlstore

import (
	"encoding/base64"
	"encoding/json"

	"github.com/parley-comments/parley"
)

// cursorKey is the keyset position a page ends at. Cursors are opaque to
// callers: base64url of this JSON. Kind ties a cursor to the listing (and
// sort order) that issued it, so a cursor from another listing is rejected.
type cursorKey struct {
	Kind string  `json:"k"`
	ID   string  `json:"i"`
	Risk float64 `json:"r,omitempty"`
}

func encodeCursor(k cursorKey) string {
	b, _ := json.Marshal(k) // cannot fail: strings and a finite float
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor parses a cursor issued for kind. EINVALID otherwise.
func decodeCursor(s, kind string) (cursorKey, error) {
	var k cursorKey
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		err = json.Unmarshal(b, &k)
	}
	if err != nil || k.Kind != kind || k.ID == "" {
		return cursorKey{}, parley.WrapError(parley.EINVALID, "Invalid cursor.", err)
	}
	return k, nil
}

// clampLimit applies a listing's default and maximum page size.
func clampLimit(limit, def, max int) int {
	if limit <= 0 {
		return def
	}
	if limit > max {
		return max
	}
	return limit
}
