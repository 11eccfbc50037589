package webhook

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"
)

func TestSignVerify(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_800_000_000, 0)
	body := []byte(`{"event":"comment.approved","id":"01J"}`)
	sig := Sign("whsec_right", now, body)
	if !strings.HasPrefix(sig, "t=1800000000,v1=") || len(sig) != len("t=1800000000,v1=")+64 {
		t.Fatalf("signature %q", sig)
	}
	if err := Verify("whsec_right", sig, body, now.Add(time.Minute), 0); err != nil {
		t.Fatalf("valid signature refused: %v", err)
	}
	// A rotation header with two v1 values verifies with either secret.
	both := sig + ",v1=" + mac("whsec_old", "1800000000", body)
	if err := Verify("whsec_old", both, body, now, 0); err != nil {
		t.Fatalf("second v1 refused: %v", err)
	}
	for _, c := range []struct {
		name   string
		secret string
		header string
		body   []byte
		now    time.Time
		want   error
	}{
		{"wrong secret", "whsec_wrong", sig, body, now, ErrBadSignature},
		{"old timestamp", "whsec_right", sig, body, now.Add(6 * time.Minute), ErrTooOld},
		{"future timestamp", "whsec_right", sig, body, now.Add(-6 * time.Minute), ErrTooOld},
		{"changed body", "whsec_right", sig, []byte(`{"event":"comment.approved","id":"01K"}`), now, ErrBadSignature},
		{"one byte appended", "whsec_right", sig, append(append([]byte{}, body...), ' '), now, ErrBadSignature},
		{"changed timestamp", "whsec_right", strings.Replace(sig, "t=1800000000", "t=1800000001", 1), body, now, ErrBadSignature},
		{"missing header", "whsec_right", "", body, now, ErrNoSignature},
		{"no v1", "whsec_right", "t=1800000000", body, now, ErrNoSignature},
		{"v0 only", "whsec_right", strings.Replace(sig, "v1=", "v0=", 1), body, now, ErrNoSignature},
	} {
		if err := Verify(c.secret, c.header, c.body, c.now, 0); !errors.Is(err, c.want) {
			t.Errorf("%s: Verify = %v, want %v", c.name, err, c.want)
		}
	}
}

func TestForbidden(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		ip   string
		want bool
	}{
		{"127.0.0.1", true}, {"127.8.9.1", true}, {"::1", true}, {"10.1.2.3", true}, {"172.16.0.1", true}, {"192.168.1.1", true},
		{"169.254.169.254", true}, {"fe80::1", true}, {"fc00::1", true}, {"0.0.0.0", true}, {"::", true}, {"100.64.1.1", true},
		{"::ffff:127.0.0.1", true}, {"::ffff:10.0.0.1", true}, {"224.0.0.1", true}, {"255.255.255.255", true}, {"ff02::1", true},
		{"93.184.215.14", false}, {"2606:2800:21f:cb07:6820:80da:af6b:8b2c", false}, {"8.8.8.8", false}, {"1.1.1.1", false},
	} {
		if got := Forbidden(netip.MustParseAddr(c.ip)); got != c.want {
			t.Errorf("Forbidden(%s) = %v, want %v", c.ip, got, c.want)
		}
	}
}

func TestCheckURL(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		url     string
		private bool
		ok      bool
	}{
		{"https://hooks.example.com/parley", false, true},
		{"http://93.184.215.14:8080/in", false, true},
		{"ftp://hooks.example.com/", false, false},
		{"file:///etc/passwd", false, false},
		{"gopher://x", false, false},
		{"/relative", false, false},
		{"https://user:pw@hooks.example.com/", false, false},
		{"http://127.0.0.1:9000/", false, false},
		{"http://[::1]:9000/", false, false},
		{"http://169.254.169.254/latest/meta-data", false, false},
		{"http://10.0.0.5/", false, false},
		{"http://localhost:8080/", false, false},
		{"http://api.localhost/", false, false},
		{"http://127.0.0.1:9000/", true, true},
		{"http://localhost:8080/", true, true},
	} {
		_, err := CheckURL(c.url, c.private)
		if (err == nil) != c.ok {
			t.Errorf("CheckURL(%q, private=%v) = %v, want ok=%v", c.url, c.private, err, c.ok)
		}
	}
}

// TestDialRefusesPrivate proves the check happens at connection time: a
// URL that passed (or skipped) validation still cannot reach a loopback
// receiver, whether named by address or by a host name that resolves to it.
func TestDialRefusesPrivate(t *testing.T) {
	t.Parallel()
	hits := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits++ }))
	defer srv.Close()
	c := NewClient(false, 2*time.Second)
	port := srv.URL[strings.LastIndexByte(srv.URL, ':'):]
	for _, u := range []string{srv.URL, "http://localhost" + port + "/"} {
		res := Post(context.Background(), c, Request{URL: u, Secret: "s", Event: "test", Delivery: "d", Body: []byte(`{}`), At: time.Now()})
		if !errors.Is(res.Err, ErrForbiddenAddress) || res.StatusCode != 0 {
			t.Errorf("POST %s: %+v, want a refused address", u, res)
		}
	}
	if hits != 0 {
		t.Fatalf("the receiver got %d requests", hits)
	}
	// With --webhook-allow-private the same receiver is reachable.
	res := Post(context.Background(), NewClient(true, 2*time.Second), Request{URL: srv.URL, Secret: "s", Event: "test", Delivery: "d", Body: []byte(`{}`), At: time.Now()})
	if res.Err != nil || res.StatusCode != 200 || hits != 1 {
		t.Fatalf("allowed POST: %+v, hits %d", res, hits)
	}
}

// TestRedirectsRechecked follows a receiver that redirects: to another
// allowed receiver the delivery arrives with its signature; to a forbidden
// address (by literal or by name) it is refused before any connection.
func TestRedirectsRechecked(t *testing.T) {
	t.Parallel()
	var got []string
	final := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got = append(got, r.Method+" "+string(b)+" "+r.Header.Get(HeaderSignature))
	}))
	defer final.Close()
	redir := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, r.URL.Query().Get("to"), http.StatusTemporaryRedirect)
	}))
	defer redir.Close()
	// This client allows loopback (the test servers) but nothing else private.
	c := newClient(func(ip netip.Addr) bool { return !ip.IsLoopback() && Forbidden(ip) }, 2*time.Second)
	at := time.Unix(1_800_000_000, 0)
	res := Post(context.Background(), c, Request{URL: redir.URL + "/?to=" + final.URL + "/in", Secret: "k", Event: "test", Delivery: "d1", Body: []byte(`{"a":1}`), At: at})
	if res.Err != nil || res.StatusCode != 200 || len(got) != 1 || got[0] != `POST {"a":1} `+Sign("k", at, []byte(`{"a":1}`)) {
		t.Fatalf("redirected delivery: %+v, receiver got %q", res, got)
	}
	for _, to := range []string{"http://169.254.169.254/latest/meta-data", "http://10.0.0.7/", "http://localhost.localhost/", "ftp://x.example/"} {
		res := Post(context.Background(), c, Request{URL: redir.URL + "/?to=" + to, Secret: "k", Event: "test", Delivery: "d2", Body: []byte(`{}`), At: at})
		if res.Err == nil || !strings.Contains(res.Err.Error(), "redirect") {
			t.Errorf("redirect to %s: %+v, want refused", to, res)
		}
	}
}

func TestPostNon2xx(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "queue full", http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	res := Post(context.Background(), NewClient(true, time.Second), Request{URL: srv.URL, Secret: "s", Event: "test", Delivery: "d", Body: []byte(`{}`), At: time.Now()})
	if res.StatusCode != 503 || res.Err == nil || !strings.Contains(res.Err.Error(), "queue full") {
		t.Fatalf("result %+v", res)
	}
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { time.Sleep(2 * time.Second) }))
	defer slow.Close()
	res = Post(context.Background(), NewClient(true, 300*time.Millisecond), Request{URL: slow.URL, Secret: "s", Event: "test", Delivery: "d", Body: []byte(`{}`), At: time.Now()})
	if res.Err == nil || res.StatusCode != 0 {
		t.Fatalf("slow receiver: %+v, want a timeout", res)
	}
}
