// Package digestcache remembers values derived from content, by a SHA-256
// of that content: what parsing a stored document yields, kept so the next
// request that reads the same bytes need not parse them again. A changed
// document has another digest, so a hit is always what parsing would give
// and replicas stay stateless (nothing here is login state; a replica
// without the entry parses).
package digestcache

import (
	"crypto/sha256"
	"sync"
)

// Key is the SHA-256 of the content (and of whatever else the value is a
// function of).
type Key = [sha256.Size]byte

// DefaultMax bounds a Cache whose Max is not set.
const DefaultMax = 1024

// Cache is a bounded map from Key to V, safe for concurrent use. Values are
// shared by every caller that gets them: they must not be modified. The
// zero value is ready to use.
type Cache[V any] struct {
	// Max bounds the entries (0: DefaultMax); a Put into a full cache first
	// drops an arbitrary entry.
	Max int

	mu sync.Mutex
	m  map[Key]V
}

// Get returns the value stored for k.
func (c *Cache[V]) Get(k Key) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[k]
	return v, ok
}

// Put stores v for k.
func (c *Cache[V]) Put(k Key, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = make(map[Key]V)
	}
	max := c.Max
	if max <= 0 {
		max = DefaultMax
	}
	if _, ok := c.m[k]; !ok && len(c.m) >= max {
		for old := range c.m {
			delete(c.m, old)
			break
		}
	}
	c.m[k] = v
}

// Len is the number of entries.
func (c *Cache[V]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}
