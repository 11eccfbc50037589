package clientip

import (
	"net/http/httptest"
	"net/netip"
	"testing"

	"github.com/parley-comments/parley"
)

func mustResolver(t *testing.T, trusted ...string) *Resolver {
	t.Helper()
	r, err := NewResolver(trusted)
	if err != nil {
		t.Fatalf("NewResolver(%q): %v", trusted, err)
	}
	return r
}

func TestClientIP(t *testing.T) {
	t.Parallel()
	r := mustResolver(t, "10.0.0.0/8", "::1", "fd00::/8", "192.0.2.10")
	tests := []struct {
		name   string
		remote string
		xff    []string
		want   string
	}{
		{"direct peer, no header", "203.0.113.7:5555", nil, "203.0.113.7"},
		{"spoofed XFF from untrusted peer is ignored", "203.0.113.7:5555", []string{"1.2.3.4"}, "203.0.113.7"},
		{"spoofed XFF chain from untrusted peer is ignored", "198.51.100.9:80", []string{"10.0.0.1, 1.2.3.4"}, "198.51.100.9"},
		{"trusted proxy, one hop", "10.1.2.3:443", []string{"203.0.113.7"}, "203.0.113.7"},
		{"trusted proxy, client forged left entries", "10.1.2.3:443", []string{"1.1.1.1, 8.8.8.8, 203.0.113.7"}, "203.0.113.7"},
		{"skips several trusted hops", "10.1.2.3:443", []string{"203.0.113.7, 192.0.2.10, 10.9.9.9"}, "203.0.113.7"},
		{"multiple header lines are one list", "10.1.2.3:443", []string{"6.6.6.6, 203.0.113.7", "10.2.2.2"}, "203.0.113.7"},
		{"all hops trusted gives leftmost", "10.1.2.3:443", []string{"10.5.5.5, 10.6.6.6"}, "10.5.5.5"},
		{"trusted peer without header", "10.1.2.3:443", nil, "10.1.2.3"},
		{"garbage entry stops the walk at the trusted hop", "10.1.2.3:443", []string{"203.0.113.7, not-an-ip, 10.4.4.4"}, "10.4.4.4"},
		{"garbage right after remote gives remote", "10.1.2.3:443", []string{"evil"}, "10.1.2.3"},
		{"entries with ports", "10.1.2.3:443", []string{"203.0.113.7:1234"}, "203.0.113.7"},
		{"bracketed ipv6 with port", "10.1.2.3:443", []string{"[2001:db8::1]:8080"}, "2001:db8::1"},
		{"empty entries are skipped", "10.1.2.3:443", []string{" , 203.0.113.7 ,, "}, "203.0.113.7"},
		{"ipv6 loopback proxy", "[::1]:8080", []string{"2001:db8:1:2:3:4:5:6"}, "2001:db8:1:2:3:4:5:6"},
		{"ipv6 proxy range", "[fd00::5]:8080", []string{"203.0.113.7"}, "203.0.113.7"},
		{"ipv4-mapped remote matches ipv4 rule", "[::ffff:10.1.2.3]:443", []string{"203.0.113.7"}, "203.0.113.7"},
		{"ipv4-mapped client is unmapped", "10.1.2.3:443", []string{"::ffff:203.0.113.7"}, "203.0.113.7"},
		{"zone is dropped", "[fe80::1%eth0]:80", nil, "fe80::1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest("GET", "/", nil)
			req.RemoteAddr = tt.remote
			for _, v := range tt.xff {
				req.Header.Add("X-Forwarded-For", v)
			}
			got := r.ClientIP(req)
			if got.String() != tt.want {
				t.Errorf("ClientIP = %v, want %s", got, tt.want)
			}
		})
	}
}

func TestClientIPNoTrustedProxies(t *testing.T) {
	t.Parallel()
	r := mustResolver(t)
	req := httptest.NewRequest("GET", "/", nil)
	req.RemoteAddr = "127.0.0.1:9999"
	req.Header.Set("X-Forwarded-For", "203.0.113.7")
	if got := r.ClientIP(req); got.String() != "127.0.0.1" {
		t.Errorf("ClientIP = %v, want 127.0.0.1 (nothing trusted)", got)
	}
}

func TestClientIPBadRemoteAddr(t *testing.T) {
	t.Parallel()
	r := mustResolver(t, "0.0.0.0/0")
	req := httptest.NewRequest("GET", "/", nil)
	req.RemoteAddr = "pipe"
	req.Header.Set("X-Forwarded-For", "203.0.113.7")
	if got := r.ClientIP(req); got.IsValid() {
		t.Errorf("ClientIP = %v, want the zero Addr for an unparseable RemoteAddr", got)
	}
}

func TestNewResolverRejectsGarbage(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{"10.0.0.0/33", "proxy.internal", "1.2.3", "::g"} {
		_, err := NewResolver([]string{"127.0.0.1", bad})
		if !parley.IsCode(err, parley.EINVALID) {
			t.Errorf("NewResolver(%q) error = %v, want code %s", bad, err, parley.EINVALID)
		}
	}
}

func TestIsTrusted(t *testing.T) {
	t.Parallel()
	r := mustResolver(t, " 10.0.0.0/8 ", "", "::ffff:192.168.0.0/112", "2001:db8::/32")
	tests := map[string]bool{
		"10.255.0.1":          true,
		"11.0.0.1":            false,
		"192.168.4.4":         true,
		"::ffff:192.168.44.1": true,
		"192.169.0.1":         false,
		"2001:db8:ffff::1":    true,
		"2001:db9::1":         false,
	}
	for s, want := range tests {
		if got := r.IsTrusted(netip.MustParseAddr(s)); got != want {
			t.Errorf("IsTrusted(%s) = %v, want %v", s, got, want)
		}
	}
	if r.IsTrusted(netip.Addr{}) {
		t.Error("IsTrusted(zero Addr) = true")
	}
}

func TestRateKey(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"203.0.113.7", "203.0.113.7"},
		{"::ffff:203.0.113.7", "203.0.113.7"},
		{"2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"},
		{"2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"},
		{"2001:db8:1:3::1", "2001:db8:1:3::/64"},
		{"::1", "::/64"},
		{"fe80::1%eth0", "fe80::/64"},
	}
	for _, tt := range tests {
		if got := RateKey(netip.MustParseAddr(tt.in)); got != tt.want {
			t.Errorf("RateKey(%s) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := RateKey(netip.Addr{}); got != "" {
		t.Errorf("RateKey(zero) = %q, want empty", got)
	}
}

func FuzzClientIP(f *testing.F) {
	f.Add("10.0.0.1:1", "1.2.3.4, 10.0.0.2")
	f.Add("[::1]:1", "[2001:db8::1]:80,,garbage")
	f.Add("1.2.3.4:5", "")
	r, err := NewResolver([]string{"10.0.0.0/8", "::1"})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, remote, xff string) {
		req := httptest.NewRequest("GET", "/", nil)
		req.RemoteAddr = remote
		req.Header.Set("X-Forwarded-For", xff)
		got := r.ClientIP(req)
		rem, ok := parseHostPort(remote)
		if !ok {
			if got.IsValid() {
				t.Fatalf("bad remote %q gave %v", remote, got)
			}
			return
		}
		if !r.IsTrusted(rem) && got != rem {
			t.Fatalf("untrusted remote %v, header %q: got %v", rem, xff, got)
		}
		if got.Is4In6() || got.Zone() != "" {
			t.Fatalf("result %v not canonical", got)
		}
	})
}
