// Command testoidc runs the test OpenID Connect provider (package
// testoidc) as a process, for the browser tests. It prints
// "testoidc issuer http://127.0.0.1:PORT/" once it listens. Test use only.
//
//	testoidc --client-id parley --client-secret S --redirect-uri http://127.0.0.1:8080/auth/oidc/callback \
//	    --users '[{"id":"u1","username":"ed","password":"pw","name":"Ed","email":"ed@x.example","groups":["desk"]}]'
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/parley-comments/parley/internal/testoidc"
)

func main() {
	var cfg testoidc.Config
	var redirect, users string
	flag.StringVar(&cfg.Addr, "addr", "127.0.0.1:0", "listen address")
	flag.StringVar(&cfg.ClientID, "client-id", "parley", "the one client's ID")
	flag.StringVar(&cfg.ClientSecret, "client-secret", "", "the client's secret")
	flag.StringVar(&redirect, "redirect-uri", "", "the client's redirect URI")
	flag.StringVar(&users, "users", "[]", "users as a JSON array of {id, username, password, name, email, groups}")
	flag.Parse()
	cfg.RedirectURIs = []string{redirect}
	if err := json.Unmarshal([]byte(users), &cfg.Users); err != nil {
		fmt.Fprintln(os.Stderr, "testoidc: --users:", err)
		os.Exit(2)
	}
	p, err := testoidc.Start(cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "testoidc:", err)
		os.Exit(1)
	}
	fmt.Println("testoidc issuer", p.Issuer)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	<-sig
	_ = p.Close()
}
