package main

import (
	"fmt"
	"log/slog"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/classify"
	"github.com/parley-comments/parley/clientip"
	"github.com/parley-comments/parley/internal/router"
	"github.com/parley-comments/parley/modui"
	"github.com/parley-comments/parley/readerui"
	"github.com/parley-comments/parley/service"
	"github.com/parley-comments/parley/widget"
)

// loadClassifier loads the classifier embedded in the binary.
func loadClassifier() (parley.Classifier, error) {
	return classify.Default()
}

// mountExtras registers the widget bundle and the moderation dashboard.
func mountExtras(mux router.Registrar, svc *service.Service, logger *slog.Logger, secureCookies bool, resolver *clientip.Resolver) error {
	widget.Routes(mux)
	ui, err := modui.New(modui.Config{Service: svc, Logger: logger, SecureCookies: secureCookies, Resolver: resolver})
	if err != nil {
		return fmt.Errorf("moderation dashboard: %w", err)
	}
	ui.Routes(mux)
	reader, err := readerui.New(svc, logger)
	if err != nil {
		return fmt.Errorf("reader pages: %w", err)
	}
	reader.Routes(mux)
	return nil
}
