package sessions

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
)

// tokenBytes of randomness make a 48-character base64url session token.
const tokenBytes = 36

// maxTokenLength bounds a presented token before it is hashed.
const maxTokenLength = 256

func (s *Service) newToken() (token string, hash []byte, err error) {
	b := make([]byte, tokenBytes)
	if _, err := io.ReadFull(s.Rand, b); err != nil {
		return "", nil, fmt.Errorf("sessions: random source: %w", err)
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, hashToken(token), nil
}

// hashToken is how tokens are stored and looked up. A fast hash suffices:
// tokens carry 288 bits of entropy, so there is nothing to brute-force.
func hashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}
