// Package bearer is how Seam stores the bearer secrets it hands out
// (project secrets, session tokens, one-time SSO tokens): only a hash is
// kept, and a presented value is bounded before it is hashed.
package bearer

import "crypto/sha256"

// MaxLength bounds a presented secret; Seam's own are far shorter.
const MaxLength = 256

// Hash is the stored form of a secret. A fast hash suffices: every secret
// Seam issues carries at least 256 bits of randomness, so there is nothing
// to brute-force and no salt or stretching to add.
func Hash(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}
