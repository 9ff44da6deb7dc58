package scim

import (
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"io"

	"github.com/seamsso/seam/internal/bearer"
	"github.com/seamsso/seam/internal/store"
)

// tokenBytes of randomness make a 48-character base64url bearer token.
const tokenBytes = 36

// newToken returns a fresh bearer token, its stored digest and the last
// four characters the API shows afterwards.
func (s *Service) newToken() (token string, hash []byte, lastFour string, err error) {
	b := make([]byte, tokenBytes)
	if _, err := io.ReadFull(s.Rand, b); err != nil {
		return "", nil, "", fmt.Errorf("scim: random source: %w", err)
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, bearer.Hash(token), token[len(token)-4:], nil
}

// tokenMatches reports whether presented is the connection's token or,
// during a rotation, its next token. Both digests are always compared, in
// constant time, so the answer's timing says nothing about which matched.
func tokenMatches(c *store.SCIMConnection, presented string) bool {
	if presented == "" || len(presented) > bearer.MaxLength {
		return false
	}
	h := bearer.Hash(presented)
	current := subtle.ConstantTimeCompare(h, c.TokenHash)
	next := 0
	if len(c.NextTokenHash) > 0 {
		next = subtle.ConstantTimeCompare(h, c.NextTokenHash)
	}
	return current|next == 1
}
