package httpapi

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/logctx"
)

// errorBody is Stytch's error envelope.
type errorBody struct {
	StatusCode   int            `json:"status_code"`
	RequestID    string         `json:"request_id"`
	ErrorType    string         `json:"error_type"`
	ErrorMessage string         `json:"error_message"`
	ErrorURL     string         `json:"error_url"`
	ErrorDetails map[string]any `json:"error_details,omitempty"`
}

// writeJSON writes body (a JSON object) with request_id and status_code
// added as its first members, the way every Stytch response carries them.
// A preEncoded body is written as it is.
func writeJSON(w http.ResponseWriter, r *http.Request, status int, body any) {
	b, err := encodeBody(body)
	if err != nil || len(b) < 2 || b[0] != '{' {
		writeError(w, r, apierr.Internal(err))
		return
	}
	var out bytes.Buffer
	out.Grow(len(b) + 96)
	out.WriteString(`{"request_id":`)
	id, _ := json.Marshal(requestID(r.Context()))
	out.Write(id)
	out.WriteString(`,"status_code":`)
	out.WriteString(strconv.Itoa(status))
	if len(b) > 2 {
		out.WriteByte(',')
	}
	out.Write(b[1:])
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(out.Bytes())
}

func encodeBody(body any) ([]byte, error) {
	if p, ok := body.(preEncoded); ok {
		return p, nil
	}
	return json.Marshal(body)
}

// preEncoded is a response body already encoded as a JSON object. It
// answers with an API object the domain encoded once for both the change's
// event and the response (organizations.Created, sso.Updated), in place of
// the route's declared body type (its out, which OpenAPI documents): it
// must have that type's members, in its order, with the same encoding.
type preEncoded []byte

// member is a member of a preEncoded object: its key and its JSON value.
type member struct {
	key   string
	value json.RawMessage
}

// encodedObject is the object of members, in order, as encoding/json
// writes a struct of them. Keys need no escape.
func encodedObject(members ...member) preEncoded {
	n := 2
	for _, m := range members {
		n += len(m.key) + len(m.value) + 4
	}
	b := make([]byte, 0, n)
	b = append(b, '{')
	for i, m := range members {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '"')
		b = append(b, m.key...)
		b = append(b, '"', ':')
		b = append(b, m.value...)
	}
	return append(b, '}')
}

// writeError writes err in the error envelope. Internal causes are logged
// with the request ID and never sent to the client.
func writeError(w http.ResponseWriter, r *http.Request, err error) {
	if writeUnavailable(w, r, err) {
		return
	}
	e := apierr.As(err)
	logctx.Note(r.Context(), logctx.What{ErrorType: e.Type})
	if e.Status >= 500 {
		loggerFrom(r.Context()).LogAttrs(r.Context(), slog.LevelError, "request failed",
			slog.String("error_type", e.Type), slog.String("error", errString(e.Cause)))
	}
	writeEnvelope(w, r, e)
}

// writeEnvelope writes Stytch's error envelope for e.
func writeEnvelope(w http.ResponseWriter, r *http.Request, e *apierr.Error) {
	b, _ := json.Marshal(errorBody{
		StatusCode: e.Status, RequestID: requestID(r.Context()), ErrorType: e.Type,
		ErrorMessage: e.Message, ErrorDetails: e.Details,
		ErrorURL: "https://stytch.com/docs/api-reference/b2b/api/errors/" + strconv.Itoa(e.Status) + "#" + e.Type,
	})
	if n := apierr.RetryAfter(e); n > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(n))
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(e.Status)
	_, _ = w.Write(b)
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
