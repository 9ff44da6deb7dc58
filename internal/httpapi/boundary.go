package httpapi

import (
	"bytes"
	"io"
	"mime"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/seamsso/seam/internal/apierr"
)

// Error types of input refused at the boundary, before any query.
const (
	// typeInvalidUTF8 is text that is not valid UTF-8: PostgreSQL refuses it
	// and SQLite would store bytes no client can read back as JSON.
	typeInvalidUTF8 = "invalid_utf8"
	// typeNullCharacter is text containing U+0000, which PostgreSQL text and
	// jsonb cannot hold.
	typeNullCharacter = "null_character_not_allowed"
	// typeUnsupportedMediaType is a body sent to a JSON route with another
	// content type (a form, multipart, text/plain or none).
	typeUnsupportedMediaType = "unsupported_media_type"
)

// checkText refuses text that cannot be stored: invalid UTF-8 and NUL.
// where names the value for the message ("Field display_name", "Query
// parameter connection_id"); the value itself is never echoed.
func checkText(where, s string) error {
	if !utf8.ValidString(s) {
		return apierr.BadRequest(typeInvalidUTF8, where+" is not valid UTF-8 text.")
	}
	if strings.IndexByte(s, 0) >= 0 {
		return apierr.BadRequest(typeNullCharacter, where+" contains a NUL character (U+0000), which cannot be stored.")
	}
	return nil
}

// boundary wraps a route's handler with the checks that need only the
// request and the route's declaration, so they run before authentication
// and before any query: every path parameter and query parameter must be
// storable text, and a body sent to a JSON route must be declared JSON.
// Domain services still check ID formats; this makes sure that nothing a
// database refuses reaches one.
func boundary(rt route, next http.Handler) http.Handler {
	params := pathParams(rt.pattern)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := checkURL(r, params); err != nil {
			if rt.auth == authSCIM {
				writeSCIMError(w, r, scimBoundaryError(err))
				return
			}
			writeError(w, r, err)
			return
		}
		if rt.body() == jsonBody {
			if err := checkJSONContentType(r); err != nil {
				writeError(w, r, err)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// pathParams lists the wildcard names of a mux pattern.
func pathParams(pattern string) []string {
	var out []string
	for _, seg := range strings.Split(pattern, "/") {
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
			name := strings.TrimSuffix(strings.Trim(seg, "{}"), "...")
			if name != "" && name != "$" {
				out = append(out, name)
			}
		}
	}
	return out
}

// checkURL checks every path parameter and every query key and value.
func checkURL(r *http.Request, params []string) error {
	for _, name := range params {
		if err := checkText("Path parameter "+name, r.PathValue(name)); err != nil {
			return err
		}
	}
	if r.URL.RawQuery == "" {
		return nil
	}
	for key, values := range r.URL.Query() {
		if err := checkText("A query parameter name", key); err != nil {
			return err
		}
		for _, v := range values {
			if err := checkText("Query parameter "+apierr.Quote(key), v); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkJSONContentType requires application/json (charset UTF-8, if
// given) when the request carries a body. A request without a body needs
// no content type: the official SDKs send application/json on every call,
// curl and browsers send none on an empty POST, and both must work.
func checkJSONContentType(r *http.Request) error {
	if !hasBody(r) {
		return nil
	}
	ct := r.Header.Get("Content-Type")
	media, params, err := mime.ParseMediaType(ct)
	if err == nil && media == "application/json" {
		if cs, ok := params["charset"]; !ok || strings.EqualFold(cs, "utf-8") {
			return nil
		}
	}
	got := "no Content-Type"
	if ct != "" {
		got = "Content-Type " + apierr.Quote(ct)
	}
	return apierr.New(http.StatusUnsupportedMediaType, typeUnsupportedMediaType,
		"This endpoint takes a JSON body sent with Content-Type: application/json; the request has "+got+".")
}

// hasBody reports whether the request carries at least one body byte. For
// a body of unknown length (chunked) it reads one byte and puts it back.
func hasBody(r *http.Request) bool {
	switch {
	case r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0:
		return false
	case r.ContentLength > 0:
		return true
	}
	var one [1]byte
	n, _ := io.ReadFull(r.Body, one[:])
	if n == 0 {
		return false
	}
	r.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(one[:n]), r.Body), r.Body}
	return true
}
