package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/seamsso/seam/internal/apierr"
)

// maxBody is the request body cap for every JSON endpoint.
const maxBody = 1 << 20

// decodeJSON reads a JSON object body into v. An empty body decodes as {}.
// Errors name the offending field and never echo the body.
func decodeJSON(r *http.Request, v any) error {
	body, err := readBody(r)
	if err != nil {
		return err
	}
	return decodeBytes(body, v)
}

// readBody reads the capped request body.
func readBody(r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, apierr.New(http.StatusRequestEntityTooLarge, "request_body_too_large",
				"The request body is larger than the 1 MiB limit.")
		}
		return nil, apierr.BadRequest("invalid_request_body", "The request body could not be read.")
	}
	return body, nil
}

// decodeBytes decodes a JSON object body into v.
func decodeBytes(body []byte, v any) error {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		body = []byte("{}")
	}
	if body[0] != '{' {
		return apierr.BadRequest("invalid_request_body", "The request body must be a JSON object.")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	if dec.More() {
		return apierr.BadRequest("invalid_request_body", "The request body must contain exactly one JSON object.")
	}
	return nil
}

func decodeError(err error) error {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		field := jsonPath(te.Field)
		if field == "" {
			field = "(body)"
		}
		return apierr.BadRequest("invalid_request_value",
			"Field "+field+" has the wrong type: expected "+jsonKind(te.Type.Kind().String())+", got JSON "+te.Value+".")
	case errors.As(err, &se):
		return apierr.BadRequest("invalid_request_body", "The request body is not valid JSON (syntax error at byte offset "+itoa(int(se.Offset))+").")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return apierr.BadRequest("invalid_request_body", "The request body is not valid JSON (unexpected end).")
	}
	return apierr.BadRequest("invalid_request_body", "The request body is not valid JSON.")
}

// jsonPath drops the Go names of embedded structs from a decoder field path
// ("Fields.organization_name" -> "organization_name"); JSON names in this
// API are lower case, Go type names are not.
func jsonPath(p string) string {
	var out []string
	for _, seg := range strings.Split(p, ".") {
		if seg != "" && (seg[0] < 'A' || seg[0] > 'Z') {
			out = append(out, seg)
		}
	}
	return strings.Join(out, ".")
}

func jsonKind(k string) string {
	switch {
	case strings.HasPrefix(k, "int"), strings.HasPrefix(k, "uint"), strings.HasPrefix(k, "float"):
		return "number"
	case k == "slice":
		return "array"
	case k == "map", k == "struct":
		return "object"
	}
	return k
}

// matchPathID enforces that an ID repeated in the body (the Go SDK sends
// path parameters in the body too) agrees with the path.
func matchPathID(field, inPath, inBody string) error {
	if inBody != "" && inBody != inPath {
		return apierr.BadRequest("invalid_request_value", field+" in the request body does not match the URL path.")
	}
	return nil
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
