package oidc

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// KeyCache defaults.
const (
	DefaultKeyTTL             = time.Hour
	DefaultMinRefetchInterval = 30 * time.Second
	DefaultFetchTimeout       = 10 * time.Second
	DefaultMaxKeySets         = 10000
)

// KeyCacheOptions configures a KeyCache; zero fields take the defaults.
type KeyCacheOptions struct {
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// TTL is how long a fetched key set is used without refetching.
	TTL time.Duration
	// MinRefetchInterval is the least time between two fetches of one URL,
	// whatever triggers them (an unknown kid, expiry, or a failed fetch).
	// It bounds the load a stream of forged kids can put on a provider.
	MinRefetchInterval time.Duration
	// FetchTimeout bounds one fetch. A fetch is shared by every caller
	// waiting on that URL, so it runs detached from any one caller's
	// cancellation and is bounded by this timeout instead.
	FetchTimeout time.Duration
	// MaxKeySets bounds the number of URLs held; the least recently used
	// set is dropped beyond it.
	MaxKeySets int
}

// KeyCache holds providers' JWK Sets keyed by JWKS URL. It is safe for
// concurrent use; concurrent requests for the same URL share one fetch.
// Construct one per server with NewKeyCache.
type KeyCache struct {
	now          func() time.Time
	ttl          time.Duration
	minRefetch   time.Duration
	fetchTimeout time.Duration
	maxSets      int

	mu      sync.Mutex
	entries map[string]*keyEntry
	fetches int // completed fetch attempts, for tests and diagnostics
}

type keyEntry struct {
	keys      []jose.JSONWebKey // last good set; nil until a fetch succeeds
	fetchedAt time.Time         // when keys were fetched
	attemptAt time.Time         // when the last fetch started
	err       error             // result of the last fetch
	inflight  chan struct{}     // closed when the running fetch ends
	lastUsed  time.Time
}

// NewKeyCache returns an empty cache.
func NewKeyCache(opts KeyCacheOptions) *KeyCache {
	c := &KeyCache{
		now:          opts.Now,
		ttl:          opts.TTL,
		minRefetch:   opts.MinRefetchInterval,
		fetchTimeout: opts.FetchTimeout,
		maxSets:      opts.MaxKeySets,
		entries:      make(map[string]*keyEntry),
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.ttl <= 0 {
		c.ttl = DefaultKeyTTL
	}
	if c.minRefetch <= 0 {
		c.minRefetch = DefaultMinRefetchInterval
	}
	// A set must outlive the refetch interval or the cache would have to
	// choose between serving expired keys and breaking its rate limit.
	if c.ttl < c.minRefetch {
		c.ttl = c.minRefetch
	}
	if c.fetchTimeout <= 0 {
		c.fetchTimeout = DefaultFetchTimeout
	}
	if c.maxSets <= 0 {
		c.maxSets = DefaultMaxKeySets
	}
	return c
}

// Fetches reports how many fetches the cache has completed (successful or
// not). It exists for metrics and tests.
func (c *KeyCache) Fetches() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.fetches
}

// keys returns the key set for jwksURL. With refresh set (the token's kid
// was not found) it refetches unless the URL was fetched less than
// MinRefetchInterval ago, in which case it returns the current set.
//
// The error is an *Error with ReasonJWKSFetchFailed. After a failed refresh
// the still-valid previous set is returned alongside the error.
func (c *KeyCache) keys(ctx context.Context, hc *http.Client, jwksURL string, refresh bool) ([]jose.JSONWebKey, error) {
	waited := false
	for {
		c.mu.Lock()
		e := c.entry(jwksURL)
		now := c.now()
		e.lastUsed = now
		if e.inflight != nil {
			ch := e.inflight
			c.mu.Unlock()
			select {
			case <-ch:
				// The entry may have been evicted meanwhile; the check on
				// attemptAt below then treats the new entry as cold.
				waited = true
				continue
			case <-ctx.Done():
				return nil, wrapErr(ReasonJWKSFetchFailed, "cancelled while waiting for the key set", ctx.Err())
			}
		}
		fresh := e.keys != nil && since(now, e.fetchedAt) < c.ttl
		if waited && !e.attemptAt.IsZero() {
			// The fetch we waited for is the refresh; report its outcome.
			keys, err := c.result(e, fresh)
			c.mu.Unlock()
			return keys, err
		}
		if fresh && !refresh {
			keys := e.keys
			c.mu.Unlock()
			return keys, nil
		}
		if !e.attemptAt.IsZero() && since(now, e.attemptAt) < c.minRefetch {
			keys, err := c.result(e, fresh)
			c.mu.Unlock()
			return keys, err
		}
		ch := make(chan struct{})
		e.inflight = ch
		e.attemptAt = now
		c.mu.Unlock()

		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.fetchTimeout)
		keys, err := fetchJWKS(fctx, hc, jwksURL)
		cancel()

		c.mu.Lock()
		c.fetches++
		e.err = err
		if err == nil {
			e.keys = keys
			e.fetchedAt = c.now()
		}
		e.inflight = nil
		close(ch)
		keys, err = c.result(e, e.keys != nil && since(c.now(), e.fetchedAt) < c.ttl)
		c.mu.Unlock()
		return keys, err
	}
}

// result is what a caller gets from an entry without fetching: the fresh
// set if any, and the last fetch error if that fetch failed.
func (c *KeyCache) result(e *keyEntry, fresh bool) ([]jose.JSONWebKey, error) {
	var keys []jose.JSONWebKey
	if fresh {
		keys = e.keys
	}
	if e.err != nil {
		return keys, e.err
	}
	if keys == nil {
		return nil, newErr(ReasonJWKSFetchFailed, "no current key set")
	}
	return keys, nil
}

// entry returns the entry for u, creating it (and evicting the least
// recently used idle entry when full). Called with c.mu held.
func (c *KeyCache) entry(u string) *keyEntry {
	if e, ok := c.entries[u]; ok {
		return e
	}
	if len(c.entries) >= c.maxSets {
		var oldestURL string
		var oldest *keyEntry
		for k, e := range c.entries {
			if e.inflight != nil {
				continue
			}
			if oldest == nil || e.lastUsed.Before(oldest.lastUsed) {
				oldestURL, oldest = k, e
			}
		}
		if oldest != nil {
			delete(c.entries, oldestURL)
		}
	}
	e := &keyEntry{}
	c.entries[u] = e
	return e
}

// since is now-t, treating a clock that went backwards as "just now".
func since(now, t time.Time) time.Duration {
	d := now.Sub(t)
	if d < 0 {
		return 0
	}
	return d
}
