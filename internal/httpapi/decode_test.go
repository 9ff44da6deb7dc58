package httpapi

import (
	"strings"
	"testing"

	"github.com/seamsso/seam/internal/apierr"
)

func TestDecodeRefusesWhatCannotBeStored(t *testing.T) {
	deep := strings.Repeat(`{"a":`, maxJSONDepth) + `1` + strings.Repeat(`}`, maxJSONDepth)
	tooDeep := `{"a":` + strings.Repeat(`[`, maxJSONDepth) + strings.Repeat(`]`, maxJSONDepth) + `}`
	cases := []struct {
		name, body string
		errType    string // "" when the body is accepted
		inMessage  string
	}{
		{"plain", `{"display_name":"Acme ✓","n":[1,{"x":"y"}]}`, "", ""},
		{"escaped backslash-u is text, not NUL", `{"display_name":"a\\u0000b"}`, "", ""},
		{"NUL escape in a value", `{"display_name":"a\u0000b"}`, typeNullCharacter, "display_name"},
		{"NUL escape in a nested value", `{"attribute_mapping":{"email":"\u0000"}}`, typeNullCharacter, "attribute_mapping.email"},
		{"NUL escape in an array element", `{"email_allowed_domains":["a.com","\u0000"]}`, typeNullCharacter, "email_allowed_domains[1]"},
		{"NUL escape in a key", `{"trusted_metadata":{"a\u0000":1}}`, typeNullCharacter, "key in trusted_metadata"},
		{"invalid UTF-8 in a value", "{\"display_name\":\"a\xffb\"}", typeInvalidUTF8, "display_name"},
		{"invalid UTF-8 in a key", "{\"trusted_metadata\":{\"\xc3\":1}}", typeInvalidUTF8, "key in trusted_metadata"},
		{"truncated UTF-8 sequence", "{\"display_name\":\"\xe2\x9c\"}", typeInvalidUTF8, "display_name"},
		{"invalid UTF-8 outside strings is a syntax error", "{\"a\":1\xff}", "invalid_request_body", ""},
		{"duplicate key", `{"display_name":"a","display_name":"b"}`, typeDuplicateJSONKey, "display_name"},
		{"duplicate nested key", `{"attribute_mapping":{"email":"a","email":"b"}}`, typeDuplicateJSONKey, "attribute_mapping.email"},
		{"same key in sibling objects", `{"a":[{"k":1},{"k":2}],"b":{"k":3}}`, "", ""},
		{"keys differing in case", `{"trusted_metadata":{"k":1,"K":2}}`, "", ""},
		{"depth at the limit", deep, "", ""},
		{"depth over the limit", tooDeep, typeJSONTooDeep, "32"},
		{"syntax error still reported", `{"a":`, "invalid_request_body", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var v map[string]any
			err := decodeBytes([]byte(tc.body), &v)
			if tc.errType == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			e := apierr.As(err)
			if err == nil || e.Status != 400 || e.Type != tc.errType {
				t.Fatalf("got %v, want 400 %s", err, tc.errType)
			}
			if !strings.Contains(e.Message, tc.inMessage) {
				t.Errorf("message %q does not name %q", e.Message, tc.inMessage)
			}
		})
	}
}

func TestFieldPathQuotesOddKeys(t *testing.T) {
	var v map[string]any
	err := decodeBytes([]byte(`{"a b":{"x":"\u0000"}}`), &v)
	if e := apierr.As(err); !strings.Contains(e.Message, `"a b".x`) {
		t.Fatalf("message %q", e.Message)
	}
}
