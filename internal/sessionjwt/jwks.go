package sessionjwt

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
)

// JWK is the public half of a signing key as published in the key set. Only
// public parameters exist in this type, so a private key cannot leak through
// it.
type JWK struct {
	Kty    string   `json:"kty"`
	Use    string   `json:"use"`
	KeyOps []string `json:"key_ops"`
	Alg    string   `json:"alg"`
	KID    string   `json:"kid"`
	N      string   `json:"n"`
	E      string   `json:"e"`
}

// PublicJWKs converts signing keys to their public JWKs, in order. The HTTP
// handler embeds the result as "keys" next to request_id and status_code.
func PublicJWKs(keys []SigningKey) ([]JWK, error) {
	out := make([]JWK, 0, len(keys))
	seen := make(map[string]bool, len(keys))
	for _, k := range keys {
		if err := k.check(); err != nil {
			return nil, err
		}
		if seen[k.KID] {
			return nil, fmt.Errorf("sessionjwt: two keys share kid %q", k.KID)
		}
		seen[k.KID] = true
		pub := k.Private.PublicKey
		out = append(out, JWK{
			Kty:    "RSA",
			Use:    "sig",
			KeyOps: []string{"verify"},
			Alg:    "RS256",
			KID:    k.KID,
			N:      base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
			E:      base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
		})
	}
	return out, nil
}

// JWKS returns the JSON document {"keys":[...]} for keys.
func JWKS(keys []SigningKey) ([]byte, error) {
	jwks, err := PublicJWKs(keys)
	if err != nil {
		return nil, err
	}
	return json.Marshal(struct {
		Keys []JWK `json:"keys"`
	}{jwks})
}
