// Package testoidc runs a real OpenID Connect provider for tests: the
// example OP of github.com/zitadel/oidc/v3 (its in-memory storage and
// username/password login page), on a real port, with one confidential
// web client and users whose ID tokens carry email, name and a "groups"
// claim. It is for tests only; cmd/testoidc runs it as a process for the
// browser tests.
package testoidc

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/zitadel/oidc/v3/example/server/exampleop"
	"github.com/zitadel/oidc/v3/example/server/storage"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/text/language"
)

// User is an account at the provider.
type User struct {
	ID       string   `json:"id"` // the sub claim
	Username string   `json:"username"`
	Password string   `json:"password"`
	Name     string   `json:"name"`
	Email    string   `json:"email"`
	Groups   []string `json:"groups"`
}

// Config configures a Provider.
type Config struct {
	// Addr to listen on; default 127.0.0.1:0.
	Addr         string
	ClientID     string
	ClientSecret string
	RedirectURIs []string
	Users        []User
}

// Provider is a running OP.
type Provider struct {
	// Issuer is the provider's issuer URL, with a trailing slash.
	Issuer string
	srv    *http.Server
}

// userStore serves the configured users to the example storage.
type userStore map[string]*storage.User

func (u userStore) GetUserByID(id string) *storage.User { return u[id] }
func (u userStore) GetUserByUsername(name string) *storage.User {
	for _, x := range u {
		if x.Username == name {
			return x
		}
	}
	return nil
}
func (u userStore) ExampleClientID() string { return storage.ServiceUserID }

// store adds email, name and groups to every ID token.
type store struct {
	*storage.Storage
	users map[string]User
}

// SetUserinfoFromRequest implements op.CanSetUserinfoFromRequest.
func (s *store) SetUserinfoFromRequest(ctx context.Context, ui *oidc.UserInfo, req op.IDTokenRequest, scopes []string) error {
	if err := s.Storage.SetUserinfoFromRequest(ctx, ui, req, scopes); err != nil {
		return err
	}
	u, ok := s.users[req.GetSubject()]
	if !ok {
		return errors.New("unknown user")
	}
	ui.Subject = u.ID
	ui.Email, ui.EmailVerified, ui.Name = u.Email, oidc.Bool(true), u.Name
	ui.AppendClaims("groups", u.Groups)
	return nil
}

// Start runs a provider until Close.
func Start(cfg Config) (*Provider, error) {
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, err
	}
	issuer := fmt.Sprintf("http://%s/", ln.Addr().String())
	us := userStore{}
	byID := map[string]User{}
	for _, u := range cfg.Users {
		us[u.ID] = &storage.User{ID: u.ID, Username: u.Username, Password: u.Password, FirstName: u.Name, Email: u.Email,
			EmailVerified: true, PreferredLanguage: language.English}
		byID[u.ID] = u
	}
	clients := map[string]*storage.Client{cfg.ClientID: storage.WebClient(cfg.ClientID, cfg.ClientSecret, cfg.RedirectURIs...)}
	st := &store{Storage: storage.NewStorageWithClients(us, clients), users: byID}
	router := exampleop.SetupServer(issuer, st, nil, false)
	p := &Provider{Issuer: issuer, srv: &http.Server{Handler: router, ReadHeaderTimeout: 10 * time.Second}}
	go func() { _ = p.srv.Serve(ln) }()
	return p, nil
}

// Close stops the provider.
func (p *Provider) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return p.srv.Shutdown(ctx)
}
