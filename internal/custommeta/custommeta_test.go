package custommeta

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/seamsso/seam/internal/apierr"
)

func TestMerge(t *testing.T) {
	tests := []struct {
		old, patch, want string
		errType          string
	}{
		{`{"keep":"yes","nested":{"a":1},"drop":true}`, `{"nested":{"b":2},"added":[1],"drop":null}`, `{"added":[1],"keep":"yes","nested":{"b":2}}`, ""},
		{`{"a":1}`, `null`, `{"a":1}`, ""},
		{`{"a":1}`, `{}`, `{"a":1}`, ""},
		{``, `{"x":"y"}`, `{"x":"y"}`, ""},
		{`null`, `{"x":"y"}`, `{"x":"y"}`, ""},
		{`{}`, `{"missing":null}`, `{}`, ""},
		{`{}`, `[1]`, ``, "invalid_trusted_metadata"},
		{`{}`, `"str"`, ``, "invalid_trusted_metadata"},
		{`{}`, `{"big":"` + strings.Repeat("x", MaxBytes) + `"}`, ``, "invalid_trusted_metadata"},
	}
	for _, tc := range tests {
		got, err := Merge("trusted_metadata", json.RawMessage(tc.old), json.RawMessage(tc.patch))
		if tc.errType != "" {
			if apierr.TypeOf(err) != tc.errType {
				t.Errorf("Merge(%s, %s) err = %v, want %s", tc.old, tc.patch, err, tc.errType)
			}
			continue
		}
		if err != nil || string(got) != tc.want {
			t.Errorf("Merge(%s, %s) = %s, %v; want %s", tc.old, tc.patch, got, err, tc.want)
		}
	}
}

func TestTooManyKeys(t *testing.T) {
	m := map[string]int{}
	for i := 0; i <= MaxTopKeys; i++ {
		m[string(rune('a'+i))] = i
	}
	b, _ := json.Marshal(m)
	if _, err := New("untrusted_metadata", b); apierr.TypeOf(err) != "invalid_untrusted_metadata" {
		t.Fatalf("err = %v", err)
	}
}
