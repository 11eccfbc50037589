package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/http"
	"strconv"
	"unicode/utf8"

	"github.com/parley-comments/parley"
)

// writeError writes {"error": {"code", "message", ...safe fields}}.
// Internal errors are logged with their detail and answered generically.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	code := parley.ErrorCode(err)
	status := parley.HTTPStatus(code)
	body := map[string]any{"code": code, "message": parley.ErrorMessage(err)}
	var pe *parley.Error
	if errors.As(err, &pe) {
		for k, v := range pe.Fields {
			if k != "code" && k != "message" {
				body[k] = v
			}
		}
		if pe.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(pe.RetryAfter.Seconds()))))
		}
	}
	if status >= 500 {
		s.log.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		if code == parley.EINTERNAL {
			body["message"] = "Internal error."
		}
	} else {
		s.log.DebugContext(r.Context(), "request refused", "method", r.Method, "path", r.URL.Path, "code", code, "err", err)
	}
	writeJSON(w, status, map[string]any{"error": body})
}

// writeJSON writes v as JSON with a status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	_ = enc.Encode(v)
}

// marshalJSON encodes v as writeJSON would.
func marshalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(true)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// writeRawJSON writes an already-encoded JSON body.
func writeRawJSON(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// decodeJSON reads a JSON object body into v. It answers EMALFORMED for
// bad JSON or invalid UTF-8 and ETOOLARGE over MaxRequestBytes.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
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
			return parley.WrapError(parley.EINVALID, "Field "+strconv.Quote(te.Field)+" has the wrong type.", err)
		}
		return parley.WrapError(parley.EMALFORMED, "The request body is not valid JSON.", err)
	}
	return nil
}

// queryInt parses an optional integer query parameter.
func queryInt(r *http.Request, name string, def, max int) (int, error) {
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
