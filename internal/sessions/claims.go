package sessions

import (
	"bytes"
	"encoding/json"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/sessionjwt"
)

func invalidClaims(msg string) *apierr.Error {
	return apierr.BadRequest("invalid_session_custom_claims", msg)
}

// mergeClaims applies session_custom_claims to a session's stored claims:
// a key with a JSON null value is deleted, any other value set; reserved
// names (iss, sub, aud, exp, nbf, iat, jti and https://stytch.com/...) are
// ignored as Stytch ignores them. The result must stay within
// MaxCustomClaimsBytes.
func mergeClaims(stored json.RawMessage, patch map[string]json.RawMessage) (json.RawMessage, error) {
	m := map[string]json.RawMessage{}
	if len(bytes.TrimSpace(stored)) > 0 {
		if err := json.Unmarshal(stored, &m); err != nil {
			return nil, apierr.Internal(err)
		}
		if m == nil { // stored JSON null
			m = map[string]json.RawMessage{}
		}
	}
	for k, v := range patch {
		if sessionjwt.IsReservedClaim(k) {
			continue
		}
		v = bytes.TrimSpace(v)
		if len(v) == 0 || bytes.Equal(v, []byte("null")) {
			delete(m, k)
			continue
		}
		if !json.Valid(v) {
			return nil, invalidClaims("session_custom_claims must be a JSON object.")
		}
		m[k] = v
	}
	out, err := json.Marshal(m)
	if err != nil {
		return nil, invalidClaims("session_custom_claims must be a JSON object.")
	}
	if len(out) > MaxCustomClaimsBytes {
		return nil, invalidClaims("session_custom_claims may be at most 4 KB of JSON.")
	}
	return out, nil
}

// claimsMap splits stored claims for the JWT.
func claimsMap(stored json.RawMessage) map[string]json.RawMessage {
	m := map[string]json.RawMessage{}
	_ = json.Unmarshal(stored, &m) // written by mergeClaims
	return m
}

func validateDuration(minutes int) error {
	if minutes < MinDurationMinutes || minutes > MaxDurationMinutes {
		return apierr.BadRequest("invalid_session_duration", "session_duration_minutes must be between 5 and 527040.")
	}
	return nil
}
