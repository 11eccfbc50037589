// Package clientip derives the real client address of an HTTP request
// behind reverse proxies, and groups addresses into rate-limit keys.
//
// X-Forwarded-For is trusted only when the direct peer (RemoteAddr) is one
// of the configured trusted proxies. The header is then walked from right
// to left, skipping addresses that are themselves trusted proxies; the first
// address that is not a trusted proxy is the client. Entries to the left of
// it were written by the client or by proxies we do not know, so they are
// never believed: a client cannot choose its own address by sending a
// forged header.
package clientip

import (
	"net"
	"net/http"
	"net/netip"
	"strings"

	"github.com/parley-comments/parley"
)

// Resolver derives client addresses. It is immutable after NewResolver and
// safe for concurrent use.
type Resolver struct {
	trusted []netip.Prefix
}

// NewResolver returns a Resolver that trusts X-Forwarded-For from the given
// proxies. Each entry is a CIDR ("10.0.0.0/8", "fd00::/8") or a single
// address ("127.0.0.1", "::1"). IPv4-mapped IPv6 forms are unmapped. An empty
// list trusts nobody: RemoteAddr is always the client.
//
// It returns an EINVALID *parley.Error naming the first entry that is not an
// address or a CIDR.
func NewResolver(trustedProxies []string) (*Resolver, error) {
	r := &Resolver{}
	for _, s := range trustedProxies {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		p, err := parseTrusted(s)
		if err != nil {
			return nil, parley.WrapErrorf(parley.EINVALID, err, "trusted proxy %s is not an IP address or CIDR", quote(s))
		}
		r.trusted = append(r.trusted, p)
	}
	return r, nil
}

func quote(s string) string {
	if len(s) > 64 {
		s = s[:64] + "…"
	}
	return `"` + s + `"`
}

func parseTrusted(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, err
		}
		a := p.Addr()
		bits := p.Bits()
		if a.Is4In6() {
			// "::ffff:10.0.0.0/104" means 10.0.0.0/8.
			a = a.Unmap()
			bits -= 96
			if bits < 0 {
				bits = 0
			}
		}
		return netip.PrefixFrom(a.WithZone(""), bits).Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	a = canon(a)
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// canon unmaps IPv4-mapped IPv6 addresses and drops zones, so that one host
// has one form.
func canon(a netip.Addr) netip.Addr {
	return a.Unmap().WithZone("")
}

// IsTrusted reports whether a is one of the configured trusted proxies.
func (r *Resolver) IsTrusted(a netip.Addr) bool {
	if !a.IsValid() {
		return false
	}
	a = canon(a)
	for _, p := range r.trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// ClientIP returns the client address of req. It is RemoteAddr unless
// RemoteAddr is a trusted proxy, in which case X-Forwarded-For (all of its
// header lines, in order) is walked right to left past trusted proxies.
//
// If an X-Forwarded-For entry cannot be parsed, the walk stops and the
// nearest address already established (the trusted hop to its right) is
// returned: garbage is never turned into an address. If every hop is
// trusted, the leftmost one is returned. The result is unmapped (IPv4-mapped
// IPv6 becomes IPv4) and has no zone. It is the zero Addr only when
// RemoteAddr itself cannot be parsed (never the case for requests served by
// net/http over TCP).
func (r *Resolver) ClientIP(req *http.Request) netip.Addr {
	remote, ok := parseHostPort(req.RemoteAddr)
	if !ok {
		return netip.Addr{}
	}
	if !r.IsTrusted(remote) {
		return remote
	}
	hops := req.Header.Values("X-Forwarded-For")
	best := remote
	for i := len(hops) - 1; i >= 0; i-- {
		line := hops[i]
		for line != "" {
			var entry string
			if j := strings.LastIndexByte(line, ','); j >= 0 {
				entry, line = line[j+1:], line[:j]
			} else {
				entry, line = line, ""
			}
			entry = strings.TrimSpace(entry)
			if entry == "" {
				continue
			}
			a, ok := parseHostPort(entry)
			if !ok {
				return best
			}
			if !r.IsTrusted(a) {
				return a
			}
			best = a
		}
	}
	return best
}

// parseHostPort parses "ip", "ip:port", "[ipv6]:port" or "[ipv6]".
func parseHostPort(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return netip.Addr{}, false
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return canon(a), true
	}
	if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
		if a, err := netip.ParseAddr(s[1 : len(s)-1]); err == nil {
			return canon(a), true
		}
	}
	host, _, err := net.SplitHostPort(s)
	if err != nil {
		return netip.Addr{}, false
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}, false
	}
	return canon(a), true
}

// RateKey returns the rate-limit key of a client address: an IPv4 address as
// is ("203.0.113.7"), an IPv6 address as its /64 network
// ("2001:db8:1:2::/64"), because one subscriber usually holds a whole /64
// and can rotate through it freely. IPv4-mapped IPv6 addresses are unmapped
// first, so "::ffff:203.0.113.7" keys as "203.0.113.7". The zero Addr keys
// as "" (callers should not rate-limit on it).
func RateKey(a netip.Addr) string {
	if !a.IsValid() {
		return ""
	}
	a = canon(a)
	if a.Is4() {
		return a.String()
	}
	return netip.PrefixFrom(a, 64).Masked().String()
}
