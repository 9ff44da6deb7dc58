package oidc

import (
	"context"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// MaxIDTokenBytes bounds a raw ID token. Tokens carrying large group lists
// are a few tens of KiB; anything near this is hostile.
const MaxIDTokenBytes = 128 << 10

// maxHeaderBytes bounds the decoded JOSE header.
const maxHeaderBytes = 8 << 10

// maxSubjectLength is OIDC Core §2's limit on sub.
const maxSubjectLength = 255

// AllowedAlgorithms is the signature allow-list for ID tokens. "none" and
// the HMAC algorithms are deliberately absent: a relying party holding only
// public keys must never accept a token whose "signature" it could forge.
func AllowedAlgorithms() []string {
	return []string{"RS256", "RS384", "RS512", "ES256", "ES384", "PS256"}
}

func joseAlgorithms() []jose.SignatureAlgorithm {
	names := AllowedAlgorithms()
	out := make([]jose.SignatureAlgorithm, len(names))
	for i, n := range names {
		out[i] = jose.SignatureAlgorithm(n)
	}
	return out
}

// IDToken is a verified ID token.
type IDToken struct {
	Issuer          string
	Subject         string
	Audience        []string
	AuthorizedParty string
	Nonce           string
	IssuedAt        time.Time
	Expiry          time.Time
	Email           string
	EmailVerified   bool
	Name            string
	GivenName       string
	FamilyName      string
	// Claims is every claim of the payload. Numbers are json.Number so that
	// large integers survive a round trip.
	Claims map[string]any
	// Algorithm and KeyID identify the key that verified the signature.
	Algorithm string
	KeyID     string
}

// parsedJWS is a compact JWS whose header passed the allow-list.
type parsedJWS struct {
	jws *jose.JSONWebSignature
	alg string
	kid string
}

// joseHeader is the part of the protected header we decide on.
type joseHeader struct {
	Alg  string          `json:"alg"`
	Kid  string          `json:"kid"`
	Crit json.RawMessage `json:"crit"`
	B64  json.RawMessage `json:"b64"`
}

// parseJWS checks the structure and header of a compact JWS before any key
// is involved, so that the rejection reason is precise: encrypted tokens and
// critical extensions are malformed for us, and an algorithm outside the
// allow-list is reported as such rather than as a bad signature.
func parseJWS(raw string) (*parsedJWS, error) {
	if raw == "" {
		return nil, newErr(ReasonIDTokenMissing, "")
	}
	if len(raw) > MaxIDTokenBytes {
		return nil, newErr(ReasonIDTokenMalformed, "the ID token is too large")
	}
	switch strings.Count(raw, ".") {
	case 2:
	case 4:
		return nil, newErr(ReasonIDTokenMalformed, "encrypted ID tokens are not supported")
	default:
		return nil, newErr(ReasonIDTokenMalformed, "the ID token is not a compact JWS")
	}
	seg, _, _ := strings.Cut(raw, ".")
	if base64.RawURLEncoding.DecodedLen(len(seg)) > maxHeaderBytes {
		return nil, newErr(ReasonIDTokenMalformed, "the JOSE header is too large")
	}
	hb, err := base64.RawURLEncoding.Strict().DecodeString(seg)
	if err != nil {
		return nil, newErr(ReasonIDTokenMalformed, "the JOSE header is not base64url")
	}
	var h joseHeader
	if err := json.Unmarshal(hb, &h); err != nil {
		return nil, newErr(ReasonIDTokenMalformed, "the JOSE header is not a JSON object")
	}
	if h.Crit != nil || h.B64 != nil {
		return nil, newErr(ReasonIDTokenMalformed, "critical or b64 header parameters are not supported")
	}
	if !slices.Contains(AllowedAlgorithms(), h.Alg) {
		return nil, newErr(ReasonIDTokenAlgNotAllowed, "alg "+quote(sanitize(h.Alg, 32))+" is not allowed")
	}
	if len(h.Kid) > 256 {
		return nil, newErr(ReasonIDTokenMalformed, "the kid is too long")
	}
	jws, err := jose.ParseSignedCompact(raw, joseAlgorithms())
	if err != nil {
		return nil, wrapErr(ReasonIDTokenMalformed, "the ID token cannot be parsed", err)
	}
	if len(jws.Signatures) != 1 {
		return nil, newErr(ReasonIDTokenMalformed, "the ID token must carry exactly one signature")
	}
	// go-jose decodes the header with its own JSON reader; if the two
	// readings of a crafted header (e.g. duplicate "alg" members) disagree,
	// refuse rather than pick one.
	if jws.Signatures[0].Header.Algorithm != h.Alg || jws.Signatures[0].Header.KeyID != h.Kid {
		return nil, newErr(ReasonIDTokenMalformed, "ambiguous JOSE header")
	}
	return &parsedJWS{jws: jws, alg: h.Alg, kid: h.Kid}, nil
}

// Sentinels for verifyWithKeys; VerifyIDToken maps them to reasons.
var (
	errUnknownKey   = errors.New("no published key has the token's kid")
	errBadSignature = errors.New("no published key verifies the signature")
)

// verifyWithKeys checks the signature against the keys that may have made
// it: those with the token's kid when it has one, else every key that fits
// the algorithm (providers with a single key often omit kid).
func verifyWithKeys(t *parsedJWS, keys []jose.JSONWebKey) ([]byte, *jose.JSONWebKey, error) {
	kidKnown := false
	for i := range keys {
		k := &keys[i]
		if t.kid != "" && k.KeyID != t.kid {
			continue
		}
		kidKnown = true
		if !keyFitsAlg(*k, t.alg) {
			continue
		}
		// The raw public key, not the JWK, so that go-jose cannot pick a key
		// by any header the attacker controls.
		if payload, err := t.jws.Verify(k.Key); err == nil {
			return payload, k, nil
		}
	}
	if t.kid != "" && !kidKnown {
		return nil, nil, errUnknownKey
	}
	return nil, nil, errBadSignature
}

// VerifyIDToken verifies rawIDToken's signature with the provider's keys at
// cfg.JWKSURL (through keys, fetched with hc) and checks iss, aud, azp, exp,
// iat, nbf and nonce against cfg, nonce and now (OIDC Core §3.1.3.7).
func VerifyIDToken(ctx context.Context, hc *http.Client, keys *KeyCache, cfg Config, rawIDToken, nonce string, now time.Time) (*IDToken, error) {
	if keys == nil {
		return nil, newErr(ReasonConfigInvalid, "no key cache supplied")
	}
	if cfg.Issuer == "" || cfg.ClientID == "" {
		return nil, newErr(ReasonConfigInvalid, "issuer and client_id must be set")
	}
	if _, err := checkEndpointURL("jwks_url", cfg.JWKSURL); err != nil {
		return nil, err
	}
	if nonce == "" {
		return nil, newErr(ReasonInvalidArgument, "the expected nonce is empty")
	}
	t, err := parseJWS(rawIDToken)
	if err != nil {
		return nil, err
	}
	set, err := keys.keys(ctx, hc, cfg.JWKSURL, false)
	if err != nil {
		return nil, err
	}
	payload, key, err := verifyWithKeys(t, set)
	if err != nil && (errors.Is(err, errUnknownKey) || t.kid == "") {
		// The provider may have rotated its keys since we cached them.
		set, ferr := keys.keys(ctx, hc, cfg.JWKSURL, true)
		if ferr != nil {
			return nil, ferr
		}
		payload, key, err = verifyWithKeys(t, set)
	}
	switch {
	case errors.Is(err, errUnknownKey):
		return nil, newErr(ReasonIDTokenUnknownKey, "kid "+quote(sanitize(t.kid, 64))+" is not in the provider's key set")
	case err != nil:
		return nil, newErr(ReasonIDTokenInvalidSignature, "")
	}
	tok, err := checkClaims(payload, cfg, nonce, now)
	if err != nil {
		return nil, err
	}
	tok.Algorithm = t.alg
	tok.KeyID = key.KeyID
	return tok, nil
}

// checkClaims validates a verified payload and extracts the standard claims.
func checkClaims(payload []byte, cfg Config, nonce string, now time.Time) (*IDToken, error) {
	claims, err := decodeObject(payload)
	if err != nil {
		return nil, wrapErr(ReasonIDTokenMalformed, "the payload is not a JSON object", err)
	}
	tok := &IDToken{Claims: claims}

	iss, _ := claims["iss"].(string)
	if iss != cfg.Issuer {
		return nil, newErr(ReasonIDTokenWrongIssuer,
			"expected "+quote(sanitize(cfg.Issuer, 256))+", got "+quote(sanitize(iss, 256)))
	}
	tok.Issuer = iss

	aud, ok := stringOrList(claims["aud"])
	if !ok {
		return nil, newErr(ReasonIDTokenMalformed, "aud is missing or not a string or list of strings")
	}
	if !slices.Contains(aud, cfg.ClientID) {
		return nil, newErr(ReasonIDTokenWrongAudience, "the audience does not include this client")
	}
	tok.Audience = aud
	azpRaw, hasAzp := claims["azp"]
	azp, azpIsString := azpRaw.(string)
	switch {
	case hasAzp && (!azpIsString || azp != cfg.ClientID):
		return nil, newErr(ReasonIDTokenWrongAudience, "azp is not this client")
	case !hasAzp && len(aud) > 1:
		return nil, newErr(ReasonIDTokenWrongAudience, "azp is required when there are several audiences")
	}
	tok.AuthorizedParty = azp

	skew := cfg.skew()
	exp, ok := numericDate(claims["exp"])
	if !ok {
		return nil, newErr(ReasonIDTokenMalformed, "exp is missing or not a NumericDate")
	}
	if !now.Before(exp.Add(skew)) {
		return nil, newErr(ReasonIDTokenExpired, "")
	}
	tok.Expiry = exp
	iat, ok := numericDate(claims["iat"])
	if !ok {
		return nil, newErr(ReasonIDTokenMalformed, "iat is missing or not a NumericDate")
	}
	if iat.After(now.Add(skew)) {
		return nil, newErr(ReasonIDTokenNotYetValid, "iat is in the future")
	}
	tok.IssuedAt = iat
	if v, present := claims["nbf"]; present {
		nbf, ok := numericDate(v)
		if !ok {
			return nil, newErr(ReasonIDTokenMalformed, "nbf is not a NumericDate")
		}
		if nbf.After(now.Add(skew)) {
			return nil, newErr(ReasonIDTokenNotYetValid, "nbf is in the future")
		}
	}

	got, _ := claims["nonce"].(string)
	if got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(nonce)) != 1 {
		return nil, newErr(ReasonIDTokenNonceMismatch, "")
	}
	tok.Nonce = got

	sub, isString := claims["sub"].(string)
	switch {
	case claims["sub"] != nil && !isString:
		return nil, newErr(ReasonIDTokenMalformed, "sub is not a string")
	case sub == "":
		return nil, newErr(ReasonIDTokenSubjectMissing, "")
	case len(sub) > maxSubjectLength:
		return nil, newErr(ReasonIDTokenMalformed, "sub is longer than 255 characters")
	}
	tok.Subject = sub

	tok.Email, _ = claims["email"].(string)
	tok.EmailVerified = boolClaim(claims["email_verified"])
	tok.Name, _ = claims["name"].(string)
	tok.GivenName, _ = claims["given_name"].(string)
	tok.FamilyName, _ = claims["family_name"].(string)
	return tok, nil
}
