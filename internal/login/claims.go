package login

import (
	"net/http"
	"strings"
	"unicode/utf8"
)

// storableText reports whether s can be stored as text on every backend:
// valid UTF-8 without NUL (PostgreSQL refuses NUL in text and jsonb).
func storableText(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}

// cleanText makes s storable: NUL removed, invalid UTF-8 replaced.
func cleanText(s string) string {
	return strings.ToValidUTF8(strings.ReplaceAll(s, "\x00", ""), "\uFFFD")
}

// refuseUnstorableKeys refuses an OIDC login whose identity keys (the sub
// claim, the mapped email claim) hold NUL or invalid UTF-8: cleaning them
// could make two provider identities one.
func refuseUnstorableKeys(mapping map[string]string, subject string, claims map[string]any) *Failure {
	emailClaim := mapping["email"]
	if emailClaim == "" {
		emailClaim = "email"
	}
	email, _ := claims[emailClaim].(string)
	for _, c := range []struct{ name, value string }{{"sub", subject}, {emailClaim, email}} {
		if !storableText(c.value) {
			return &Failure{Status: http.StatusBadRequest, ErrorType: "invalid_oidc_claim", Reason: "invalid_claim",
				Detail: "The provider's " + c.name + " claim contains a NUL character or invalid UTF-8."}
		}
	}
	return nil
}

// cleanClaims returns claims with every string storable (cleanText), at any
// depth, and keys that are not storable dropped. Non-key claims (names,
// attributes, groups) are diagnostics and profile data, so they are cleaned
// rather than refused.
func cleanClaims(claims map[string]any) map[string]any {
	out := make(map[string]any, len(claims))
	for k, v := range claims {
		if storableText(k) {
			out[k] = cleanClaim(v)
		}
	}
	return out
}

func cleanClaim(v any) any {
	switch x := v.(type) {
	case string:
		return cleanText(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = cleanClaim(e)
		}
		return out
	case map[string]any:
		return cleanClaims(x)
	}
	return v
}
