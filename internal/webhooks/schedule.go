package webhooks

import (
	"encoding/binary"
	"io"
	"time"
)

// Retry schedule: after the n-th failed attempt (n from 1) a delivery waits
// 5s·6^(n-1), capped at 10h, with ±20% jitter so that the retries of many
// deliveries that failed together spread out: about 5s, 30s, 3m, 18m, 1.8h,
// 10h, 10h. With DefaultMaxAttempts a delivery is retried for about 23
// hours before it is given up.
const (
	retryBase          = 5 * time.Second
	retryFactor        = 6
	retryCap           = 10 * time.Hour
	DefaultMaxAttempts = 8
)

// retryDelay is the wait after the n-th failed attempt, before jitter.
func retryDelay(n int) time.Duration {
	d := retryBase
	for i := 1; i < n && d < retryCap; i++ {
		d *= retryFactor
	}
	return min(d, retryCap)
}

// jittered spreads d by ±20% with randomness from r.
func jittered(d time.Duration, r io.Reader) time.Duration {
	var b [8]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return d
	}
	f := float64(binary.BigEndian.Uint64(b[:])>>11) / (1 << 53) // [0,1)
	return time.Duration(float64(d) * (0.8 + 0.4*f))
}
