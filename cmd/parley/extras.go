package main

import (
	"log/slog"
	"net/http"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/classify"
	"github.com/parley-comments/parley/modui"
	"github.com/parley-comments/parley/service"
	"github.com/parley-comments/parley/widget"
)

// loadClassifier loads the classifier embedded in the binary.
func loadClassifier() (parley.Classifier, error) {
	return classify.Default()
}

// mountExtras registers the widget bundle and the moderation dashboard.
func mountExtras(mux *http.ServeMux, svc *service.Service, bus parley.EventBus, logger *slog.Logger) {
	widget.Routes(mux)
	modui.MustNew(modui.Config{Service: svc, Logger: logger}).Routes(mux)
}
