package oidc

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/go-jose/go-jose/v4"
)

// Bounds on a published key set.
const (
	maxJWKSKeys   = 100
	minRSAKeyBits = 2048
	// maxRSAKeyBits stops a provider from making every verification slow.
	maxRSAKeyBits = 8192
)

// jwkProbe is read before go-jose sees a key: go-jose's JWK decoder accepts
// private and symmetric keys, which must never come from a remote set.
type jwkProbe struct {
	Kty string          `json:"kty"`
	Use string          `json:"use"`
	D   json.RawMessage `json:"d"`
	P   json.RawMessage `json:"p"`
	Q   json.RawMessage `json:"q"`
	DP  json.RawMessage `json:"dp"`
	DQ  json.RawMessage `json:"dq"`
	QI  json.RawMessage `json:"qi"`
	K   json.RawMessage `json:"k"`
	Pri json.RawMessage `json:"priv"`
}

func (p jwkProbe) hasPrivate() bool {
	return p.D != nil || p.P != nil || p.Q != nil || p.DP != nil || p.DQ != nil || p.QI != nil || p.K != nil || p.Pri != nil
}

// parseJWKS extracts the usable public signature keys from a JWK Set. Keys
// of unknown type, encryption keys, symmetric keys, weak RSA keys and curves
// outside the allow-list are skipped (RFC 7517 §5 says to ignore what is not
// understood); a set exposing private key material is refused outright
// because it means anyone can forge tokens for that provider.
func parseJWKS(body []byte) ([]jose.JSONWebKey, error) {
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&set); err != nil {
		return nil, fmt.Errorf("the key set is not a JSON object of the expected shape: %w", err)
	}
	if dec.More() {
		return nil, errors.New("trailing data after the key set")
	}
	if set.Keys == nil {
		return nil, errors.New("the key set has no keys member")
	}
	if len(set.Keys) > maxJWKSKeys {
		return nil, fmt.Errorf("the key set has more than %d keys", maxJWKSKeys)
	}
	keys := make([]jose.JSONWebKey, 0, len(set.Keys))
	for _, raw := range set.Keys {
		var probe jwkProbe
		if json.Unmarshal(raw, &probe) != nil {
			continue
		}
		if probe.hasPrivate() {
			return nil, errors.New("the key set publishes private or symmetric key material")
		}
		if probe.Kty == "oct" || (probe.Use != "" && probe.Use != "sig") {
			continue
		}
		var k jose.JSONWebKey
		if k.UnmarshalJSON(raw) != nil {
			continue
		}
		if !usableKey(k.Key) {
			continue
		}
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return nil, errors.New("the key set has no usable signing keys")
	}
	return keys, nil
}

func usableKey(key any) bool {
	switch k := key.(type) {
	case *rsa.PublicKey:
		bits := k.N.BitLen()
		return bits >= minRSAKeyBits && bits <= maxRSAKeyBits
	case *ecdsa.PublicKey:
		return k.Curve == elliptic.P256() || k.Curve == elliptic.P384()
	}
	return false
}

// keyFitsAlg reports whether a JWK may verify a token signed with alg: the
// key type and curve must match, and a key that declares its own "alg" is
// only used for that algorithm.
func keyFitsAlg(k jose.JSONWebKey, alg string) bool {
	if k.Algorithm != "" && k.Algorithm != alg {
		return false
	}
	switch key := k.Key.(type) {
	case *rsa.PublicKey:
		switch alg {
		case "RS256", "RS384", "RS512", "PS256":
			return true
		}
	case *ecdsa.PublicKey:
		switch alg {
		case "ES256":
			return key.Curve == elliptic.P256()
		case "ES384":
			return key.Curve == elliptic.P384()
		}
	}
	return false
}

// fetchJWKS downloads and parses the key set at jwksURL.
func fetchJWKS(ctx context.Context, hc *http.Client, jwksURL string) ([]jose.JSONWebKey, error) {
	if _, err := checkEndpointURL("jwks_url", jwksURL); err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, jwksURL, nil)
	if err != nil {
		return nil, wrapErr(ReasonConfigInvalid, "cannot build the JWKS request", err)
	}
	req.Header.Set("Accept", "application/jwk-set+json, application/json")
	resp, err := do(hc, req)
	switch {
	case errors.Is(err, errBodyTooLarge):
		return nil, tooLargeError(ReasonJWKSFetchFailed, "the key set is too large", req, resp, err)
	case err != nil:
		return nil, fetchError(ReasonJWKSFetchFailed, "the JWKS endpoint", req, err)
	case resp.status != http.StatusOK:
		return nil, statusError(ReasonJWKSFetchFailed, "the JWKS endpoint", req, resp)
	}
	keys, err := parseJWKS(resp.body)
	if err != nil {
		return nil, wrapErr(ReasonJWKSFetchFailed, "the key set is invalid", err)
	}
	return keys, nil
}
