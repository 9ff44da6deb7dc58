package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"unicode/utf8"

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
	if err := checkJSON(body); err != nil {
		return err
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

// Error types of JSON bodies that parse but are refused.
const (
	// typeDuplicateJSONKey is an object that repeats a key: encoding/json
	// keeps the last value, other parsers the first, so the body means
	// different things to a proxy that checked it and to Seam.
	typeDuplicateJSONKey = "duplicate_json_key"
	// typeJSONTooDeep is a body nested deeper than maxJSONDepth.
	typeJSONTooDeep = "json_nesting_too_deep"
)

// maxJSONDepth bounds the nesting of objects and arrays in a request body.
// Stytch's bodies nest at most four levels; metadata objects get the rest.
const maxJSONDepth = 32

// jsonFrame is one open object or array during checkJSON's walk.
type jsonFrame struct {
	object  bool
	keys    map[string]struct{}
	wantKey bool   // objects: the next string token is a key
	key     string // objects: the current member's key
	index   int    // arrays: the current element's index
}

// checkJSON walks the body's tokens once before it is decoded and refuses
// what encoding/json would accept but Seam must not: strings (keys or
// values) that are not valid UTF-8 (the decoder would silently replace the
// bytes) or contain NUL (the decoder keeps it; PostgreSQL cannot store it),
// a key repeated in one object, and nesting deeper than maxJSONDepth. The
// error names the field. Syntax errors are left to the decoder, which
// reports them.
func checkJSON(body []byte) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var stack []*jsonFrame
	valueDone := func() {
		if len(stack) == 0 {
			return
		}
		top := stack[len(stack)-1]
		if top.object {
			top.wantKey = true
		} else {
			top.index++
		}
	}
	for {
		start := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			return nil // io.EOF, or a syntax error the decoder reports with its offset
		}
		var top *jsonFrame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{', '[':
				if len(stack) >= maxJSONDepth {
					return apierr.BadRequest(typeJSONTooDeep,
						"The request body nests objects and arrays deeper than "+itoa(maxJSONDepth)+" levels (at "+fieldPath(stack)+").")
				}
				stack = append(stack, &jsonFrame{object: t == '{', wantKey: t == '{'})
			default:
				stack = stack[:len(stack)-1]
				valueDone()
			}
		case string:
			isKey := top != nil && top.object && top.wantKey
			where := "Field " + fieldPath(stack)
			if isKey {
				where = "A key in " + fieldPath(stack)
			}
			if !utf8.Valid(body[start:dec.InputOffset()]) {
				return apierr.BadRequest(typeInvalidUTF8, where+" is not valid UTF-8 text.")
			}
			if err := checkText(where, t); err != nil {
				return err
			}
			if !isKey {
				valueDone()
				continue
			}
			top.key, top.wantKey = t, false
			if top.keys == nil {
				top.keys = map[string]struct{}{}
			}
			if _, dup := top.keys[t]; dup {
				return apierr.BadRequest(typeDuplicateJSONKey, "Field "+fieldPath(stack)+" appears more than once in one object.")
			}
			top.keys[t] = struct{}{}
		default:
			valueDone()
		}
	}
}

// fieldPath renders the position of the walk as a field path, for
// example saml_group_implicit_role_assignments[1].role_id; "(body)" at
// the top level. Keys are quoted when they are not plain identifiers.
func fieldPath(stack []*jsonFrame) string {
	var b strings.Builder
	for i, f := range stack {
		switch {
		case !f.object:
			b.WriteString("[" + itoa(f.index) + "]")
		case f.wantKey && i == len(stack)-1:
			// Between members: the object itself is the position.
		default:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(plainKey(f.key))
		}
	}
	if b.Len() == 0 {
		return "(body)"
	}
	return b.String()
}

// plainKey returns k as is when it is a short identifier, else quoted.
func plainKey(k string) string {
	if k == "" || len(k) > 64 {
		return apierr.Quote(k)
	}
	for _, c := range k {
		if !(c == '_' || c == '-' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return apierr.Quote(k)
		}
	}
	return k
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

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
