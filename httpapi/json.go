package httpapi

import (
	"net/http"

	"github.com/parley-comments/parley/internal/httpx"
)

// writeError writes {"error": {"code", "message", ...safe fields}} with the
// code's status (httpx.WriteError), logging server errors.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	httpx.WriteError(w, r, s.log, err, "")
}

// The shared JSON helpers, under the names the handlers use.
var (
	writeJSON    = httpx.WriteJSON
	writeRawJSON = httpx.WriteRawJSON
	marshalJSON  = httpx.MarshalJSON
	decodeJSON   = httpx.DecodeJSON
	queryInt     = httpx.QueryInt
)
