package oidc

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"time"
)

// maxNumericDate rejects times past year 5000, which no honest token uses
// and which would overflow time arithmetic.
const maxNumericDate = 95617584000

// decodeObject decodes a JSON object, keeping numbers as json.Number.
func decodeObject(b []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	if m == nil {
		return nil, errors.New("not a JSON object")
	}
	if dec.More() {
		return nil, errors.New("trailing data after the JSON object")
	}
	return m, nil
}

// stringOrList reads a claim that may be one string or an array of strings
// (aud, RFC 7519 §4.1.3).
func stringOrList(v any) ([]string, bool) {
	switch x := v.(type) {
	case string:
		if x == "" {
			return nil, false
		}
		return []string{x}, true
	case []any:
		if len(x) == 0 {
			return nil, false
		}
		out := make([]string, 0, len(x))
		for _, e := range x {
			s, ok := e.(string)
			if !ok {
				return nil, false
			}
			out = append(out, s)
		}
		return out, true
	}
	return nil, false
}

// numericDate reads a JSON number of seconds since the epoch
// (RFC 7519 §2), fractions allowed.
func numericDate(v any) (time.Time, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return time.Time{}, false
	}
	f, err := n.Float64()
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 || f > maxNumericDate {
		return time.Time{}, false
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)), true
}

// boolClaim reads a boolean claim, accepting the string forms some
// providers (e.g. AWS Cognito) send for email_verified.
func boolClaim(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case string:
		return x == "true"
	}
	return false
}
