package login

import (
	"strconv"

	"github.com/seamsso/seam/internal/store"
)

// DefaultAttemptsKept is how many login attempts are kept per connection:
// recording more removes the oldest beyond it (attempts are also purged
// after 30 days).
const DefaultAttemptsKept = 1000

// trimShare sets how often recording an attempt trims the connection's
// attempts back to the limit: on a random one in keep/trimShare attempts.
// A trim walks keep index entries (no database keeps a rank), so trimming
// on every attempt made each refused login pay for a thousand rows; this
// way the walk costs about trimShare entries per attempt on average and the
// table holds about keep/trimShare attempts (1.6 %) above the limit between
// trims. Limits of trimShare or less trim on every attempt.
const trimShare = 16

// trimsOn reports whether recording the attempt with this ID trims. The ID
// ends in the random hex of its UUID, so the choice is random (and comes
// from the injected randomness, as the ID does).
func trimsOn(id string, keep int) bool {
	if keep <= trimShare || len(id) < 4 {
		return true
	}
	v, err := strconv.ParseUint(id[len(id)-4:], 16, 16)
	if err != nil {
		return true
	}
	return int(v)*keep < (1<<16)*trimShare
}

func (s *Service) attemptsKept() int {
	if s.AttemptsKept > 0 {
		return s.AttemptsKept
	}
	return DefaultAttemptsKept
}

// unrecorded is a cheap refusal, answered without a login-attempt record:
// it is still counted in the login-outcome metric.
func (s *Service) unrecorded(conn *store.Connection, f *Failure) *Failure {
	if s.Metrics != nil {
		s.Metrics.LoginOutcome(conn.Kind, f.Reason)
	}
	return f
}
