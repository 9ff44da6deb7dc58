package sessions

import (
	"encoding/base64"
	"fmt"
	"io"

	"github.com/seamsso/seam/internal/bearer"
)

// tokenBytes of randomness make a 48-character base64url session token.
const tokenBytes = 36

func (s *Service) newToken() (token string, hash []byte, err error) {
	b := make([]byte, tokenBytes)
	if _, err := io.ReadFull(s.Rand, b); err != nil {
		return "", nil, fmt.Errorf("sessions: random source: %w", err)
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, bearer.Hash(token), nil
}
