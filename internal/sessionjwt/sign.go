package sessionjwt

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/go-jose/go-jose/v4"
)

// MaxTokenBytes bounds a session JWT. Sign refuses to produce a longer token
// and Verify refuses to parse one. Stytch limits custom claims to 4 KB, so a
// real token is far smaller.
const MaxTokenBytes = 32 << 10

// Sign issues a session JWT for c with key. Defaults for NotBefore and Expiry
// are described on Claims. Errors are programming or data errors on Seam's
// side (missing fields, an unusable key, an expired session), never client
// errors; they carry no secrets.
func Sign(key SigningKey, c Claims) (string, error) {
	if err := key.check(); err != nil {
		return "", err
	}
	payload, err := encodePayload(c)
	if err != nil {
		return "", err
	}
	signer, err := jose.NewSigner(
		jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: key.Private, KeyID: key.KID, Algorithm: string(jose.RS256), Use: "sig"}},
		(&jose.SignerOptions{}).WithType("JWT"),
	)
	if err != nil {
		return "", fmt.Errorf("sessionjwt: signer: %w", err)
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", fmt.Errorf("sessionjwt: sign: %w", err)
	}
	tok, err := jws.CompactSerialize()
	if err != nil {
		return "", fmt.Errorf("sessionjwt: serialize: %w", err)
	}
	if len(tok) > MaxTokenBytes {
		return "", fmt.Errorf("sessionjwt: token of %d bytes exceeds %d; custom claims or factors are too large", len(tok), MaxTokenBytes)
	}
	return tok, nil
}

// encodePayload validates c, fills defaults and builds the JSON payload.
func encodePayload(c Claims) ([]byte, error) {
	var missing []string
	for name, v := range map[string]string{
		"issuer": c.Issuer, "project ID": c.ProjectID, "member ID": c.MemberID,
		"session ID": c.Session.ID, "organization ID": c.Organization.OrganizationID,
	} {
		if v == "" {
			missing = append(missing, name)
		}
	}
	for name, v := range map[string]bool{
		"issued-at": c.IssuedAt.IsZero(), "session started_at": c.Session.StartedAt.IsZero(),
		"session last_accessed_at": c.Session.LastAccessedAt.IsZero(), "session expires_at": c.Session.ExpiresAt.IsZero(),
	} {
		if v {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		return nil, fmt.Errorf("sessionjwt: claims lack %v", missing)
	}
	nbf := c.NotBefore
	if nbf.IsZero() {
		nbf = c.IssuedAt
	}
	exp := c.Expiry
	if exp.IsZero() {
		exp = c.IssuedAt.Add(Lifetime)
		if c.Session.ExpiresAt.Before(exp) {
			exp = c.Session.ExpiresAt
		}
	}
	if exp.Unix() <= c.IssuedAt.Unix() {
		return nil, errors.New("sessionjwt: token would expire at or before it is issued (session already expired?)")
	}

	m := make(map[string]any, 8+len(c.Custom))
	for name, v := range c.Custom {
		if IsReservedClaim(name) {
			continue
		}
		if !json.Valid(v) {
			return nil, fmt.Errorf("sessionjwt: custom claim %q is not valid JSON", name)
		}
		m[name] = v
	}
	m["iss"] = c.Issuer
	m["aud"] = []string{c.ProjectID}
	m["sub"] = c.MemberID
	m["iat"] = c.IssuedAt.Unix()
	m["nbf"] = nbf.Unix()
	m["exp"] = exp.Unix()
	m[ClaimSession] = c.Session.wire()
	m[ClaimOrganization] = c.Organization
	for i, f := range c.Session.AuthenticationFactors {
		if !json.Valid(f) {
			return nil, fmt.Errorf("sessionjwt: authentication factor %d is not valid JSON", i)
		}
	}
	b, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("sessionjwt: encode claims: %w", err)
	}
	return b, nil
}
