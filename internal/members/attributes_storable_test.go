package members

import (
	"strings"
	"testing"
)

// TestSSOAttributesDropUnstorableText: groups and attributes with NUL or
// invalid UTF-8 (keys or values, at any depth) are dropped before they are
// stored, so an IdP's bytes never make PostgreSQL refuse the registration.
func TestSSOAttributesDropUnstorableText(t *testing.T) {
	tests := []struct {
		name   string
		attrs  map[string]any
		groups []string
		want   string
	}{
		{"clean", map[string]any{"dept": []string{"eng"}}, []string{"admins"}, `{"dept":["eng"],"groups":["admins"]}`},
		{"group with NUL", nil, []string{"adm\x00ins", "eng"}, `{"groups":["eng"]}`},
		{"group invalid UTF-8", nil, []string{"adm\xffins"}, `{"groups":[]}`},
		{"attribute key with NUL", map[string]any{"de\x00pt": "x", "ok": "y"}, nil, `{"groups":[],"ok":"y"}`},
		{"attribute values", map[string]any{"a": []string{"x\x00", "y"}, "b": "z\xff", "c": []any{"q\x00", 1.0}}, nil,
			`{"a":["y"],"b":"","c":["",1],"groups":[]}`},
		{"nested map", map[string]any{"m": map[string]any{"k\x00": 1, "v": "ok"}}, nil, `{"groups":[],"m":{"v":"ok"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(SSOAttributes(tt.attrs, tt.groups))
			if got != tt.want || strings.Contains(got, `\u0000`) {
				t.Fatalf("got %s, want %s", got, tt.want)
			}
		})
	}
	if got := clipName(" Ada\x00 Lovelace\xff "); got != "Ada Lovelace" {
		t.Fatalf("clipName %q", got)
	}
}
