package parley

import (
	"errors"
	"fmt"
	"net/http"
	"time"
)

// Application error codes. Each maps to one HTTP status in httpapi and is
// part of the public API contract (see docs/api.md).
const (
	EMALFORMED    = "malformed"    // 400: the request cannot be parsed (bad JSON, invalid UTF-8)
	EUNAUTHORIZED = "unauthorized" // 401: no or invalid credentials
	EFORBIDDEN    = "forbidden"    // 403: authenticated but not allowed
	ENOTFOUND     = "not_found"    // 404: the thing does not exist (or is hidden from the caller)
	ECONFLICT     = "conflict"     // 409: state conflict (lost an optimistic-concurrency race, unique key)
	EDUPLICATE    = "duplicate"    // 409: the same author already submitted the same text
	ETOOLARGE     = "too_large"    // 413: body over the documented limit
	EMEDIATYPE    = "media_type"   // 415: the body is not JSON (state-changing API requests take application/json only)
	EINVALID      = "invalid"      // 422: validation failed
	ERATELIMITED  = "rate_limited" // 429: too many requests; RetryAfter is set
	ECLOSED       = "closed"       // 422: the story is closed for comments
	ESANCTIONED   = "sanctioned"   // 403: the author is banned or suspended on this site
	EINTERNAL     = "internal"     // 500: anything unexpected; details are logged, never sent
	EUNAVAILABLE  = "unavailable"  // 503: not ready (stale schema, shutting down)
)

// Error is Parley's one application error type. Code is machine-readable,
// Message is safe to show to any caller. Err, when set, holds the internal
// cause: it is logged and never serialized.
//
// Message is English. People see it in their own language: the message
// catalog (i18n/locales/<lang>/errors.json) translates it, gettext style,
// with the English text as the key. An error made by Errorf is looked up by
// its format and formatted with its arguments in the reader's language; one
// made by WrapError or as a literal is looked up by its Message. Key and
// Args, when set, name the catalog message instead (see WithKey). The
// places that write errors out (the JSON API, the dashboard, the command
// line) translate them with i18n.Catalog.ErrorMessage; a test in i18n fails
// when a message in the code has no catalog entry.
type Error struct {
	Code    string
	Message string
	// Key is the catalog key of Message: the English format it was made
	// from. "" means Message is its own key.
	Key string
	// Args are the arguments that Key is formatted with.
	Args []any
	// Fields holds extra safe, public fields for the JSON error body,
	// for example "comment_id" on a duplicate.
	Fields map[string]any
	// RetryAfter is set with ERATELIMITED.
	RetryAfter time.Duration
	// Err is the internal cause, never shown to clients.
	Err error
}

// Error implements the error interface. It includes the internal cause for logs.
func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("parley error: code=%s message=%s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("parley error: code=%s message=%s", e.Code, e.Message)
}

// Unwrap returns the internal cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the given code and a formatted safe
// message. format is the message's catalog key, so it must be a constant
// English sentence; args fill it in (in the reader's language's number
// format when translated).
func Errorf(code string, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Key: format, Args: args}
}

// WrapErrorf is Errorf that keeps cause for the logs.
func WrapErrorf(code string, cause error, format string, args ...any) *Error {
	e := Errorf(code, format, args...)
	e.Err = cause
	return e
}

// WrapError returns an *Error with code and safe message that keeps cause
// for the logs. message is its own catalog key.
func WrapError(code, message string, cause error) *Error {
	return &Error{Code: code, Message: message, Err: cause}
}

// WithKey makes key, formatted with args, the catalog message that people
// see for e, instead of its Message: for an English Message put together at
// run time (a noun in a sentence) that has one translated form. It returns e.
func (e *Error) WithKey(key string, args ...any) *Error {
	e.Key, e.Args = key, args
	return e
}

// MessageKey returns the catalog key and arguments of e's message.
func (e *Error) MessageKey() (string, []any) {
	if e.Key == "" {
		return e.Message, nil
	}
	return e.Key, e.Args
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL
// for any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the safe message of the first *Error in err's chain,
// or a generic message for any other error.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}

// IsCode reports whether err carries the given code.
func IsCode(err error, code string) bool { return err != nil && ErrorCode(err) == code }

// HTTPStatus maps an error code to its HTTP status. It is the one place
// where codes meet HTTP; the JSON API and the dashboard both use it.
func HTTPStatus(code string) int {
	switch code {
	case EMALFORMED:
		return http.StatusBadRequest
	case EUNAUTHORIZED:
		return http.StatusUnauthorized
	case EFORBIDDEN, ESANCTIONED:
		return http.StatusForbidden
	case ENOTFOUND:
		return http.StatusNotFound
	case ECONFLICT, EDUPLICATE:
		return http.StatusConflict
	case ETOOLARGE:
		return http.StatusRequestEntityTooLarge
	case EMEDIATYPE:
		return http.StatusUnsupportedMediaType
	case EINVALID, ECLOSED:
		return http.StatusUnprocessableEntity
	case ERATELIMITED:
		return http.StatusTooManyRequests
	case EUNAVAILABLE:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}
