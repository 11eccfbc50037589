package httpapi

import (
	"net/http"

	"github.com/parley-comments/parley/internal/httpx"
)

// writeError writes {"error": {"code", "message", ...safe fields}} with the
// code's status (httpx.WriteError), logging server errors. The message is
// in the caller's language (apiLang).
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	httpx.WriteError(w, r, s.log, err, s.cat.ErrorMessage(apiLang(r), err))
}

// The shared JSON helpers, under the names the handlers use.
var (
	writeJSON    = httpx.WriteJSON
	writeRawJSON = httpx.WriteRawJSON
	marshalJSON  = httpx.MarshalJSON
	decodeJSON   = httpx.DecodeJSON
	queryInt     = httpx.QueryInt
)
