package sso

import (
	"crypto/sha256"
	"encoding/binary"
	"sync"

	"github.com/seamsso/seam/internal/store"
)

// runtimeCacheSize bounds the decoded SAML configurations a replica keeps:
// a few MB at most, whatever the number of connections.
const runtimeCacheSize = 1024

// runtimeCache remembers what decoding a SAML connection's stored
// configuration yields: the JSON decoded and every verification certificate
// parsed, which was about a sixth of the server's work in refusing a
// wrongly signed response (BENCHMARKS.md 3.8). It is content-addressed: the
// key is a SHA-256 of every input (the connection's ID, organization,
// callback URL and the stored configuration bytes), so an updated
// connection has a new key and a hit returns exactly what decoding would.
// It holds no login state and no secret in the clear (private keys stay
// sealed in it and are opened per request), so replicas stay stateless.
// The zero value is ready to use.
type runtimeCache struct {
	mu sync.Mutex
	m  map[[sha256.Size]byte]*samlDecoded
}

// samlDecoded is an immutable decoded configuration: runtime with neither
// decryption nor signing key, and the stored configuration whose sealed
// keys are opened per request.
type samlDecoded struct {
	runtime SAMLRuntime
	cfg     *samlConfig
}

func runtimeKey(c *store.Connection, callbackURL string) [sha256.Size]byte {
	h := sha256.New()
	for _, part := range [][]byte{[]byte(c.ID), []byte(c.OrganizationID), []byte(callbackURL), c.Config} {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(part)))
		h.Write(n[:])
		h.Write(part)
	}
	var k [sha256.Size]byte
	h.Sum(k[:0])
	return k
}

func (rc *runtimeCache) get(k [sha256.Size]byte) *samlDecoded {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.m[k]
}

// put stores d, first dropping an arbitrary entry when the cache is full.
func (rc *runtimeCache) put(k [sha256.Size]byte, d *samlDecoded) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if rc.m == nil {
		rc.m = make(map[[sha256.Size]byte]*samlDecoded)
	}
	if len(rc.m) >= runtimeCacheSize {
		for old := range rc.m {
			delete(rc.m, old)
			break
		}
	}
	rc.m[k] = d
}
