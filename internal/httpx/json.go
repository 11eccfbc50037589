package httpx

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/parley-comments/parley"
)

// MaxRequestBytes is the largest JSON request body accepted. A comment's
// own limit is service.MaxBodyChars characters; this leaves room for UTF-8
// and the other fields.
const MaxRequestBytes = 64 << 10

// ErrorBody is the "error" object for err: its code, message (the given
// one, or the error's safe message when msg is ""), and its safe fields.
// An internal error's message is always generic.
func ErrorBody(err error, msg string) map[string]any {
	code := parley.ErrorCode(err)
	if msg == "" {
		msg = parley.ErrorMessage(err)
	}
	if code == parley.EINTERNAL {
		msg = "Internal error."
	}
	body := map[string]any{"code": code, "message": msg}
	var pe *parley.Error
	if errors.As(err, &pe) {
		for k, v := range pe.Fields {
			if k != "code" && k != "message" {
				body[k] = v
			}
		}
	}
	return body
}

// WriteError writes {"error": ErrorBody(err, msg)} with the code's status
// and a Retry-After header for rate limits. Server errors are logged with
// their detail; refusals at debug level.
func WriteError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error, msg string) {
	code := parley.ErrorCode(err)
	status := parley.HTTPStatus(code)
	var pe *parley.Error
	if errors.As(err, &pe) && pe.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(pe.RetryAfter.Seconds()))))
	}
	if status >= 500 {
		log.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	} else {
		log.DebugContext(r.Context(), "request refused", "method", r.Method, "path", r.URL.Path, "code", code, "err", err)
	}
	WriteJSON(w, status, map[string]any{"error": ErrorBody(err, msg)})
}

// WriteJSON writes v as JSON with a status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	_ = enc.Encode(v)
}

// MarshalJSON encodes v as WriteJSON would.
func MarshalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(true)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// WriteRawJSON writes an already-encoded JSON body.
func WriteRawJSON(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// DecodeJSON reads a JSON object body into v. It answers EMALFORMED for
// bad JSON or invalid UTF-8 and ETOOLARGE over MaxRequestBytes.
func DecodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxRequestBytes))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return parley.Errorf(parley.ETOOLARGE, "The request body is larger than %d bytes.", MaxRequestBytes)
		}
		return parley.WrapError(parley.EMALFORMED, "The request body could not be read.", err)
	}
	if len(body) == 0 {
		return parley.Errorf(parley.EMALFORMED, "The request body is empty; a JSON object is required.")
	}
	if !utf8.Valid(body) {
		return parley.Errorf(parley.EMALFORMED, "The request body is not valid UTF-8.")
	}
	if err := json.Unmarshal(body, v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return parley.WrapErrorf(parley.EINVALID, err, "Field %q has the wrong type.", te.Field)
		}
		return parley.WrapError(parley.EMALFORMED, "The request body is not valid JSON.", err)
	}
	return nil
}

// QueryInt parses an optional positive integer query parameter.
func QueryInt(r *http.Request, name string, def, max int) (int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, parley.Errorf(parley.EINVALID, "%s must be a positive integer.", name)
	}
	if n > max {
		return 0, parley.Errorf(parley.EINVALID, "%s is at most %d.", name, max)
	}
	return n, nil
}

// WantsJSON reports whether the client asked for JSON (the dashboard's
// script does).
func WantsJSON(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "application/json")
}
