package httpapi_test

import (
	"encoding/json"
	"io"
	"net/http"
	"testing"
)

// jsonField reads a nested field from a raw JSON document.
func jsonField(t *testing.T, raw []byte, path ...string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	for _, p := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[p]
	}
	return v
}

// stripRequestID removes the per-response request_id so two responses can
// be compared for equality of content.
func stripRequestID(raw []byte) string {
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return string(raw)
	}
	delete(m, "request_id")
	b, _ := json.Marshal(m)
	return string(b)
}

func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
