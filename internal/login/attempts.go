package login

import "github.com/seamsso/seam/internal/store"

// DefaultAttemptsKept is how many login attempts are kept per connection:
// recording one more removes the oldest beyond it (attempts are also purged
// after 30 days).
const DefaultAttemptsKept = 1000

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
