//go:build !unix

package samlverify

import "time"

func processCPU() (time.Duration, bool) { return 0, false }
