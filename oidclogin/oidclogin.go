// Package oidclogin is the provider side of staff sign-in with OpenID
// Connect (parley.OIDCClient): discovery and ID-token verification with
// coreos/go-oidc, and the authorization-code flow with PKCE (S256) with
// golang.org/x/oauth2.
package oidclogin

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/parley-comments/parley"
)

// providerTTL is how long a discovered provider (its endpoints; go-oidc
// refreshes keys itself) is reused.
const providerTTL = time.Hour

// Client implements parley.OIDCClient.
type Client struct {
	http *http.Client
	mu   sync.Mutex
	prov map[string]cached
}

type cached struct {
	p  *oidc.Provider
	at time.Time
}

// New returns a Client that talks to providers with hc (nil: a client with
// a 15 s timeout).
func New(hc *http.Client) *Client {
	if hc == nil {
		hc = &http.Client{Timeout: 15 * time.Second}
	}
	return &Client{http: hc, prov: map[string]cached{}}
}

func (c *Client) provider(ctx context.Context, issuer string) (*oidc.Provider, error) {
	c.mu.Lock()
	p, ok := c.prov[issuer]
	c.mu.Unlock()
	if ok && time.Since(p.at) < providerTTL {
		return p.p, nil
	}
	// The provider keeps this context for fetching keys later, so it must
	// outlive the request.
	pctx := oidc.ClientContext(context.WithoutCancel(ctx), c.http)
	prov, err := oidc.NewProvider(pctx, issuer)
	if err != nil {
		return nil, fmt.Errorf("discover %s: %w", issuer, err)
	}
	c.mu.Lock()
	c.prov[issuer] = cached{prov, time.Now()}
	c.mu.Unlock()
	return prov, nil
}

func (c *Client) config(ctx context.Context, cfg parley.OIDCConfig, redirectURL string) (*oidc.Provider, *oauth2.Config, error) {
	p, err := c.provider(ctx, cfg.Issuer)
	if err != nil {
		return nil, nil, err
	}
	scopes := cfg.Scopes
	if len(scopes) == 0 {
		scopes = []string{"email", "profile"}
	}
	return p, &oauth2.Config{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, Endpoint: p.Endpoint(),
		RedirectURL: redirectURL, Scopes: append([]string{oidc.ScopeOpenID}, scopes...)}, nil
}

// AuthURL implements parley.OIDCClient.
func (c *Client) AuthURL(ctx context.Context, cfg parley.OIDCConfig, redirectURL, state, nonce, verifier string) (string, error) {
	_, oc, err := c.config(ctx, cfg, redirectURL)
	if err != nil {
		return "", err
	}
	return oc.AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)), nil
}

// Exchange implements parley.OIDCClient.
func (c *Client) Exchange(ctx context.Context, cfg parley.OIDCConfig, redirectURL, code, verifier, nonce string) (*parley.OIDCClaims, error) {
	p, oc, err := c.config(ctx, cfg, redirectURL)
	if err != nil {
		return nil, err
	}
	ctx = oidc.ClientContext(ctx, c.http)
	tok, err := oc.Exchange(ctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		return nil, fmt.Errorf("redeem code: %w", err)
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok || raw == "" {
		return nil, errors.New("the token response has no id_token")
	}
	idt, err := p.Verifier(&oidc.Config{ClientID: cfg.ClientID}).Verify(ctx, raw)
	if err != nil {
		return nil, fmt.Errorf("verify id_token: %w", err)
	}
	if idt.Nonce != nonce {
		return nil, errors.New("the id_token's nonce does not match the sign-in")
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		return nil, err
	}
	out := &parley.OIDCClaims{Issuer: idt.Issuer, Subject: idt.Subject, Claims: claims}
	out.Email, _ = claims["email"].(string)
	out.Name, _ = claims["name"].(string)
	if out.Name == "" {
		out.Name, _ = claims["preferred_username"].(string)
	}
	return out, nil
}

var _ parley.OIDCClient = (*Client)(nil)
