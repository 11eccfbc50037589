// Package webhook signs, verifies and sends Parley's webhook deliveries.
//
// Every delivery is a JSON POST with the header
//
//	Parley-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">
//
// keyed by the webhook's secret (see docs/webhooks.md). Outgoing requests go
// through a client that dials only public addresses: private, loopback,
// link-local, unspecified and other special-purpose addresses are refused
// when the connection is made (so DNS rebinding cannot sneak one in), on
// every redirect as well, unless the operator allows them.
package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Header names of a delivery.
const (
	HeaderSignature = "Parley-Signature"
	HeaderEvent     = "Parley-Event"
	HeaderDelivery  = "Parley-Delivery"
)

// DefaultTolerance is how old a signature Verify accepts by default.
const DefaultTolerance = 5 * time.Minute

// Sign returns the Parley-Signature header value for body at time t.
func Sign(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + mac(secret, ts, body)
}

func mac(secret, ts string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// Verification errors.
var (
	ErrNoSignature  = errors.New("webhook: missing or malformed Parley-Signature")
	ErrBadSignature = errors.New("webhook: signature does not match")
	ErrTooOld       = errors.New("webhook: signature timestamp outside the tolerance")
)

// Verify checks a Parley-Signature header against body: the HMAC must
// match (any of several v1 values, as sent during a secret rotation) and
// the timestamp must be within tolerance of now (DefaultTolerance if 0).
func Verify(secret, header string, body []byte, now time.Time, tolerance time.Duration) error {
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	var ts string
	var sigs []string
	for _, part := range strings.Split(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			continue
		}
		switch k {
		case "t":
			ts = v
		case "v1":
			sigs = append(sigs, v)
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || len(sigs) == 0 {
		return ErrNoSignature
	}
	if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
		return fmt.Errorf("%w (%s)", ErrTooOld, d.Round(time.Second))
	}
	want := []byte(mac(secret, ts, body))
	for _, s := range sigs {
		if hmac.Equal([]byte(s), want) {
			return nil
		}
	}
	return ErrBadSignature
}
