package sessionjwt

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/seamsso/seam/internal/apierr"
)

// Error types returned by Verify; see the package documentation.
const (
	TypeUnparsable      = "unable_to_parse_session_jwt"
	TypeInvalidAudience = "jwt_invalid_audience"
	TypeInvalidIssuer   = "jwt_invalid_issuer"
	TypeInvalidClaims   = "jwt_invalid_claims"
	TypeExpired         = "jwt_too_old"
)

// ClockSkew is how far in the future nbf may lie, to tolerate Seam instances
// whose clocks disagree slightly. exp gets no grace, as in the SDKs.
const ClockSkew = 30 * time.Second

// Causes kept on errors for the server log.
var (
	errEmpty        = errors.New("empty token")
	errTooLarge     = errors.New("token exceeds MaxTokenBytes")
	errMalformed    = errors.New("not an RS256 JWS compact serialization")
	errNoKIDHeader  = errors.New("no kid header")
	errUnknownKID   = errors.New("kid not in the key set")
	errBadSignature = errors.New("signature does not verify")
	errNotObject    = errors.New("payload is not a JSON object")
	errNotJWTType   = errors.New(`typ header is not "JWT"`)
)

func unparsable(cause error) *apierr.Error {
	return apierr.Wrap(cause, http.StatusUnauthorized, TypeUnparsable, "The session JWT could not be parsed or its signature could not be verified.")
}

func invalidClaims(what string) *apierr.Error {
	return apierr.Wrap(errors.New(what), http.StatusUnauthorized, TypeInvalidClaims, "The session JWT is missing a required claim or has a malformed one: "+what+".")
}

// Verify checks a session JWT against keys (matched by kid), the project ID
// (aud) and the issuer (iss, compared exactly), at time now, and returns its
// claims. Every failure is a 401 *apierr.Error; see the package
// documentation for the types.
func Verify(token string, keys []SigningKey, projectID, issuer string, now time.Time) (*Claims, error) {
	return verify(token, keys, projectID, issuer, now, true)
}

// VerifyIgnoringExpiry is Verify without the exp check. Stytch accepts an
// authentic but expired session JWT as a pointer to its session and answers
// from the session record; a caller using this function must do the same,
// i.e. load Session.ID and require that session to be active and to belong
// to MemberID and the organization before trusting anything else.
func VerifyIgnoringExpiry(token string, keys []SigningKey, projectID, issuer string, now time.Time) (*Claims, error) {
	return verify(token, keys, projectID, issuer, now, false)
}

func verify(token string, keys []SigningKey, projectID, issuer string, now time.Time, checkExpiry bool) (*Claims, error) {
	payload, err := verifySignature(token, keys)
	if err != nil {
		return nil, err
	}
	return decodeClaims(payload, projectID, issuer, now, checkExpiry)
}

func verifySignature(token string, keys []SigningKey) ([]byte, error) {
	switch {
	case token == "":
		return nil, unparsable(errEmpty)
	case len(token) > MaxTokenBytes:
		return nil, unparsable(errTooLarge)
	}
	// The allow-list is applied while parsing: "none", HS256 and every other
	// algorithm fail here, before a key is chosen.
	jws, err := jose.ParseSignedCompact(token, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil || len(jws.Signatures) != 1 {
		return nil, unparsable(errMalformed)
	}
	hdr := jws.Signatures[0].Header
	// Seam never sets "crit"; a token that does was not issued by Seam.
	if _, ok := hdr.ExtraHeaders["crit"]; ok {
		return nil, unparsable(errMalformed)
	}
	// The Node SDK requires typ JWT (jose's typ option); so does Seam, so
	// that Seam never accepts a token an SDK would refuse.
	if typ, _ := hdr.ExtraHeaders["typ"].(string); !isJWTType(typ) {
		return nil, unparsable(errNotJWTType)
	}
	kid := hdr.KeyID
	if kid == "" {
		return nil, unparsable(errNoKIDHeader)
	}
	var key *SigningKey
	for i := range keys {
		if keys[i].KID == kid && keys[i].check() == nil {
			key = &keys[i]
			break
		}
	}
	if key == nil {
		return nil, unparsable(errUnknownKID)
	}
	payload, err := jws.Verify(&key.Private.PublicKey)
	if err != nil {
		return nil, unparsable(errBadSignature)
	}
	return payload, nil
}

// decodeClaims interprets a verified payload. Checks run in the order
// audience, issuer, required claims, time, so each failure has one type.
func decodeClaims(payload []byte, projectID, issuer string, now time.Time, checkExpiry bool) (*Claims, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(payload, &raw); err != nil || raw == nil {
		return nil, unparsable(errNotObject)
	}

	aud, ok := decodeAudience(raw["aud"])
	if !ok || projectID == "" || !contains(aud, projectID) {
		return nil, AudienceError()
	}
	var iss string
	if err := decodeString(raw["iss"], &iss); err != nil || iss == "" || iss != issuer {
		return nil, apierr.Unauthorized(TypeInvalidIssuer, "The session JWT was not issued by this server.")
	}

	c := &Claims{Issuer: iss, ProjectID: projectID}
	if err := decodeString(raw["sub"], &c.MemberID); err != nil || c.MemberID == "" {
		return nil, invalidClaims("sub")
	}
	for _, d := range []struct {
		name string
		dst  *time.Time
	}{{"iat", &c.IssuedAt}, {"nbf", &c.NotBefore}, {"exp", &c.Expiry}} {
		t, ok := decodeNumericDate(raw[d.name])
		if !ok {
			return nil, invalidClaims(d.name)
		}
		*d.dst = t
	}
	if err := decodeSession(raw[ClaimSession], &c.Session); err != nil {
		return nil, err
	}
	if err := decodeOrganization(raw[ClaimOrganization], &c.Organization); err != nil {
		return nil, err
	}
	for name, v := range raw {
		if IsReservedClaim(name) {
			continue
		}
		if c.Custom == nil {
			c.Custom = make(map[string]json.RawMessage)
		}
		c.Custom[name] = v
	}

	if now.Add(ClockSkew).Before(c.NotBefore) {
		return nil, invalidClaims("nbf is in the future")
	}
	if checkExpiry && !now.Before(c.Expiry) {
		return nil, apierr.Wrap(errors.New("exp reached"), http.StatusUnauthorized, TypeExpired, "The session JWT has expired.")
	}
	return c, nil
}

// isJWTType compares a typ header the way jose does: case-insensitively and
// with an optional "application/" prefix.
func isJWTType(typ string) bool {
	typ = strings.ToLower(typ)
	return typ == "jwt" || typ == "application/jwt"
}

func decodeAudience(v json.RawMessage) ([]string, bool) {
	if v == nil {
		return nil, false
	}
	var one string
	if json.Unmarshal(v, &one) == nil {
		return []string{one}, true
	}
	var many []string
	if json.Unmarshal(v, &many) == nil {
		return many, true
	}
	return nil, false
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

var errAbsent = errors.New("absent")

// decodeString requires v to be a JSON string (null and absent are refused).
func decodeString(v json.RawMessage, dst *string) error {
	if v == nil || bytes.Equal(v, []byte("null")) {
		return errAbsent
	}
	return json.Unmarshal(v, dst)
}

// decodeNumericDate accepts an integer or fractional count of seconds
// between 1970 and 9999, truncated to whole seconds.
func decodeNumericDate(v json.RawMessage) (time.Time, bool) {
	v = bytes.TrimSpace(v)
	// json.Number would also accept a quoted number; JWT dates are numbers.
	if len(v) == 0 || v[0] == '"' {
		return time.Time{}, false
	}
	var n json.Number
	if json.Unmarshal(v, &n) != nil {
		return time.Time{}, false
	}
	f, err := n.Float64()
	if err != nil || math.IsNaN(f) || f < 0 || f > 253402300799 {
		return time.Time{}, false
	}
	return time.Unix(int64(f), 0).UTC(), true
}

func decodeSession(v json.RawMessage, dst *SessionClaims) error {
	if v == nil || bytes.Equal(v, []byte("null")) {
		return invalidClaims(ClaimSession)
	}
	var w struct {
		ID                    *string           `json:"id"`
		StartedAt             *string           `json:"started_at"`
		LastAccessedAt        *string           `json:"last_accessed_at"`
		ExpiresAt             *string           `json:"expires_at"`
		Attributes            SessionAttributes `json:"attributes"`
		AuthenticationFactors []json.RawMessage `json:"authentication_factors"`
		Roles                 []string          `json:"roles"`
	}
	if err := json.Unmarshal(v, &w); err != nil {
		return invalidClaims(ClaimSession + " is not a session object")
	}
	if w.ID == nil || *w.ID == "" {
		return invalidClaims(ClaimSession + " id")
	}
	dst.ID = *w.ID
	for _, p := range []struct {
		name string
		src  *string
		dst  *time.Time
	}{
		{"started_at", w.StartedAt, &dst.StartedAt},
		{"last_accessed_at", w.LastAccessedAt, &dst.LastAccessedAt},
		{"expires_at", w.ExpiresAt, &dst.ExpiresAt},
	} {
		// The Go SDK parses these with time.RFC3339 and fails on "".
		if p.src == nil {
			return invalidClaims(ClaimSession + " " + p.name)
		}
		t, err := time.Parse(time.RFC3339, *p.src)
		if err != nil {
			return invalidClaims(ClaimSession + " " + p.name)
		}
		*p.dst = t.UTC()
	}
	dst.Attributes = w.Attributes
	dst.AuthenticationFactors = w.AuthenticationFactors
	dst.Roles = w.Roles
	for _, r := range dst.Roles {
		if strings.TrimSpace(r) == "" {
			return invalidClaims(ClaimSession + " roles")
		}
	}
	return nil
}

func decodeOrganization(v json.RawMessage, dst *OrganizationClaims) error {
	if v == nil || bytes.Equal(v, []byte("null")) || json.Unmarshal(v, dst) != nil || dst.OrganizationID == "" {
		return invalidClaims(ClaimOrganization)
	}
	return nil
}

// AudienceError is the refusal of a session JWT issued for another project.
func AudienceError() *apierr.Error {
	return apierr.Unauthorized(TypeInvalidAudience, "The session JWT's audience does not contain this project_id.")
}
