package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// Client limits.
const (
	DefaultTimeout = 10 * time.Second // a whole delivery, redirects included
	dialTimeout    = 5 * time.Second
	maxRedirects   = 3
	// maxResponseBytes of a receiver's answer are read (and kept for the
	// delivery log's error); the rest is discarded.
	maxResponseBytes = 4 << 10
)

// ErrForbiddenAddress is returned (wrapped) when a URL or a dial points at
// an address outgoing requests may not reach.
var ErrForbiddenAddress = errors.New("address not allowed for webhooks")

// special lists special-purpose ranges that are never a public receiver
// (RFC 6890 and friends), beyond what netip's predicates cover.
var special = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),   // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, and broadcast
	netip.MustParsePrefix("64:ff9b:1::/48"),  // local-use NAT64
	netip.MustParsePrefix("2001:db8::/32"),   // documentation
	netip.MustParsePrefix("fec0::/10"),       // deprecated site-local
	netip.MustParsePrefix("100::/64"),        // discard-only
	netip.MustParsePrefix("2001::/23"),       // IETF protocol assignments (Teredo, ORCHID…)
	netip.MustParsePrefix("192.0.2.0/24"),    // documentation
	netip.MustParsePrefix("198.51.100.0/24"), // documentation
	netip.MustParsePrefix("203.0.113.0/24"),  // documentation
}

// Forbidden reports whether ip is private, loopback, link-local,
// unspecified, multicast or otherwise special-purpose. IPv4-mapped IPv6
// addresses are judged as the IPv4 address they carry.
func Forbidden(ip netip.Addr) bool {
	ip = ip.Unmap()
	if !ip.IsValid() || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() {
		return true
	}
	for _, p := range special {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// CheckURL validates a receiver URL: absolute http or https, a host, no
// credentials, and, when the host is an IP literal, an allowed address.
// Host names are checked again on every connection.
func CheckURL(raw string, allowPrivate bool) (*url.URL, error) {
	deny := Forbidden
	if allowPrivate {
		deny = nil
	}
	return checkURL(raw, deny)
}

func checkURL(raw string, deny func(netip.Addr) bool) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return nil, errors.New("the URL must be an absolute http or https URL")
	}
	if u.User != nil {
		return nil, errors.New("the URL must not contain a user name or password; use the signature to authenticate")
	}
	if u.Fragment != "" {
		return nil, errors.New("the URL must not contain a fragment")
	}
	if deny == nil {
		return u, nil
	}
	if ip, err := netip.ParseAddr(u.Hostname()); err == nil && deny(ip) {
		return nil, fmt.Errorf("%s: %w (private, loopback, link-local and other special addresses are refused)", ip, ErrForbiddenAddress)
	}
	if strings.EqualFold(u.Hostname(), "localhost") || strings.HasSuffix(strings.ToLower(u.Hostname()), ".localhost") {
		return nil, fmt.Errorf("%s: %w", u.Hostname(), ErrForbiddenAddress)
	}
	return u, nil
}

// NewClient returns the HTTP client for deliveries. Unless allowPrivate,
// every connection, including each redirect's, is refused at dial time
// when the resolved address is Forbidden. Proxies from the environment are
// not used: they would dial on our behalf, past the check.
func NewClient(allowPrivate bool, timeout time.Duration) *http.Client {
	if allowPrivate {
		return newClient(nil, timeout)
	}
	return newClient(Forbidden, timeout)
}

// newClient returns a delivery client that refuses addresses for which
// deny is true (nil: none).
func newClient(deny func(netip.Addr) bool, timeout time.Duration) *http.Client {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	d := &net.Dialer{Timeout: dialTimeout, KeepAlive: 30 * time.Second}
	if deny != nil {
		d.Control = func(network, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return fmt.Errorf("%s: %w", address, ErrForbiddenAddress)
			}
			if deny(ap.Addr()) {
				return fmt.Errorf("%s: %w", ap.Addr(), ErrForbiddenAddress)
			}
			return nil
		}
	}
	tr := &http.Transport{
		Proxy:                 nil,
		DialContext:           d.DialContext,
		TLSHandshakeTimeout:   5 * time.Second,
		ResponseHeaderTimeout: timeout,
		MaxIdleConns:          20,
		MaxIdleConnsPerHost:   2,
		IdleConnTimeout:       60 * time.Second,
		ForceAttemptHTTP2:     true,
	}
	return &http.Client{
		Transport: tr,
		Timeout:   timeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > maxRedirects {
				return fmt.Errorf("stopped after %d redirects", maxRedirects)
			}
			if _, err := checkURL(req.URL.String(), deny); err != nil {
				return fmt.Errorf("redirect to %s refused: %w", req.URL.Redacted(), err)
			}
			return nil
		},
	}
}

// Request is one delivery attempt.
type Request struct {
	URL      string
	Secret   string
	Event    string
	Delivery string // the delivery ID
	Body     []byte
	At       time.Time // signing time
}

// Result is a delivery attempt's outcome. StatusCode is 0 when no answer
// came; Err is set unless the receiver answered 2xx.
type Result struct {
	StatusCode int
	Duration   time.Duration
	Err        error
}

// Post sends one signed delivery. Any 2xx is success; everything else,
// including a redirect loop or a refused address, is an error to retry.
func Post(ctx context.Context, c *http.Client, r Request) Result {
	start := time.Now()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.URL, bytes.NewReader(r.Body))
	if err != nil {
		return Result{Err: err}
	}
	h := req.Header
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", "Parley-Webhooks/1")
	h.Set(HeaderEvent, r.Event)
	h.Set(HeaderDelivery, r.Delivery)
	h.Set(HeaderSignature, Sign(r.Secret, r.At, r.Body))
	resp, err := c.Do(req)
	res := Result{Duration: time.Since(start)}
	if err != nil {
		res.Err = err
		return res
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	res.StatusCode = resp.StatusCode
	res.Duration = time.Since(start)
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		msg := strings.TrimSpace(string(snippet))
		if len(msg) > 200 {
			msg = strings.ToValidUTF8(msg[:200], "") + "…"
		}
		res.Err = fmt.Errorf("receiver answered %s %s", resp.Status, msg)
	}
	return res
}
