package apptest

import (
	"sync"
	"time"
)

// Clock is the app clock of an Env: real time plus an offset that tests
// move with Advance, so that expiry can be tested without sleeping while
// everything else (certificates, IdP timestamps) still sees the present.
type Clock struct {
	mu     sync.Mutex
	offset time.Duration
}

// Now is the app's notion of the current time: UTC at the database's
// microsecond precision, like the production clock.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	d := c.offset
	c.mu.Unlock()
	return time.Now().Add(d).UTC().Truncate(time.Microsecond)
}

// Advance moves the app clock by d (negative d moves it back).
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.offset += d
	c.mu.Unlock()
}
