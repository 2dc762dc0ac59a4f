package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/wiretrace/wiretrace/engine"
	"github.com/wiretrace/wiretrace/extract"
	"github.com/wiretrace/wiretrace/live"
)

// apiError is an error answered as JSON: {"error": {"code", "message"}}.
// Codes are stable (docs/api.md); messages are for people.
type apiError struct {
	Status  int    `json:"-"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

func errorf(status int, code, format string, args ...any) *apiError {
	return &apiError{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

// Error codes.
const (
	codeBadRequest    = "bad_request"
	codeMalformed     = "malformed_json"
	codeMissingID     = "missing_id"
	codeInvalidID     = "invalid_id"
	codeEmpty         = "empty_article"
	codeUnprocessable = "unprocessable"
	codeTooLarge      = "too_large"
	codeBatchTooLarge = "batch_too_large"
	codeBodyTooLarge  = "body_too_large"
	codeMediaType     = "unsupported_media_type"
	codeUnauthorized  = "unauthorized"
	codeForbidden     = "forbidden_host"
	codeNotFound      = "not_found"
	codeMethod        = "method_not_allowed"
	codeConflict      = "conflict"
	codeLoading       = "loading"
	codeUnavailable   = "unavailable"
	codeInternal      = "internal"
)

// rejection maps why the index refused one article to an API error: that
// is always about the article, so what has no code of its own is a 422.
func rejection(err error) *apiError {
	ae := fromIndexError(err)
	if ae.Status == http.StatusInternalServerError {
		return errorf(http.StatusUnprocessableEntity, codeUnprocessable, "%v", err)
	}
	return ae
}

// fromIndexError maps the index's errors to API errors.
func fromIndexError(err error) *apiError {
	var ae *apiError
	switch {
	case errors.As(err, &ae):
		return ae
	case errors.Is(err, live.ErrNotFound):
		return errorf(http.StatusNotFound, codeNotFound, "%v", err)
	case errors.Is(err, live.ErrLoading):
		return errorf(http.StatusServiceUnavailable, codeLoading, "%v", err)
	case errors.Is(err, live.ErrClosed):
		return errorf(http.StatusServiceUnavailable, codeUnavailable, "server is shutting down")
	case errors.Is(err, live.ErrBadQuery):
		return errorf(http.StatusBadRequest, codeBadRequest, "%v", err)
	case errors.Is(err, live.ErrChanged):
		return errorf(http.StatusConflict, codeConflict, "%v", err)
	case errors.Is(err, engine.ErrNoID):
		return errorf(http.StatusBadRequest, codeMissingID, "%v", err)
	case errors.Is(err, engine.ErrEmpty), errors.Is(err, extract.ErrNoText), errors.Is(err, extract.ErrNotHTML):
		return errorf(http.StatusUnprocessableEntity, codeEmpty, "%v", err)
	case errors.Is(err, engine.ErrTooLarge), errors.Is(err, extract.ErrTooLarge):
		return errorf(http.StatusRequestEntityTooLarge, codeTooLarge, "%v", err)
	case errors.Is(err, live.ErrInvalid):
		return errorf(http.StatusBadRequest, codeInvalidID, "%v", err)
	}
	return errorf(http.StatusInternalServerError, codeInternal, "%v", err)
}

// writeJSON answers v with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.Encode(v)
}

// writeError answers err as JSON.
func writeError(w http.ResponseWriter, err *apiError) {
	if err.Status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "5")
	}
	if err.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="wiretrace"`)
	}
	writeJSON(w, err.Status, struct {
		Error *apiError `json:"error"`
	}{err})
}
