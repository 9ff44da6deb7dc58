package sso

import (
	"crypto/sha256"
	"encoding/binary"

	"github.com/seamsso/seam/internal/digestcache"
	"github.com/seamsso/seam/internal/store"
)

// samlDecoded is what the runtimes (on Service, a digestcache.Cache of
// these) remember of decoding a SAML connection's stored configuration: the
// JSON decoded
// and every verification certificate parsed, which was about a sixth of the
// server's work in refusing a wrongly signed response (BENCHMARKS.md 3.8).
// The key is a SHA-256 of every input (runtimeKey), so an updated connection
// has a new key and a hit returns exactly what decoding would.
//
// A samlDecoded is immutable: runtime with neither decryption nor signing
// key, and the stored configuration whose sealed keys unsealKey opens (and
// remembers by their own digest).
type samlDecoded struct {
	runtime SAMLRuntime
	cfg     *samlConfig
}

func runtimeKey(c *store.Connection, callbackURL string) digestcache.Key {
	return digestOf(c.ID, c.OrganizationID, callbackURL, string(c.Config))
}

// digestOf is a SHA-256 of the parts, each prefixed with its length so
// that no two lists of parts share a digest.
func digestOf(parts ...string) digestcache.Key {
	h := sha256.New()
	for _, part := range parts {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(part)))
		h.Write(n[:])
		h.Write([]byte(part))
	}
	var k digestcache.Key
	h.Sum(k[:0])
	return k
}
