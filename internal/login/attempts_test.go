package login

import (
	"fmt"
	"testing"
)

func TestTrimsOn(t *testing.T) {
	// Small limits trim on every attempt, so they hold exactly.
	for _, keep := range []int{1, 3, trimShare} {
		if !trimsOn("sso-login-attempt-test-00000000-0000-4000-8000-00000000ffff", keep) {
			t.Errorf("keep %d: an attempt did not trim", keep)
		}
	}
	// Large limits trim on about trimShare/keep of the attempts: count over
	// every value of the random tail.
	for _, keep := range []int{100, 1000, 5000} {
		trims := 0
		for v := 0; v < 1<<16; v++ {
			if trimsOn(fmt.Sprintf("sso-login-attempt-test-00000000-0000-4000-8000-0000%04x", v), keep) {
				trims++
			}
		}
		want := (1 << 16) * trimShare / keep
		if trims < want-1 || trims > want+1 {
			t.Errorf("keep %d: %d of 65536 attempts trim, want about %d", keep, trims, want)
		}
	}
	// An ID without a hex tail trims (never lets the table grow unbounded).
	if !trimsOn("x", 1000) || !trimsOn("attempt-zzzz", 1000) {
		t.Error("an ID without a hex tail did not trim")
	}
}
