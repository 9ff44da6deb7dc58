package main

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// clockTicks is USER_HZ, the unit of utime and stime in /proc/<pid>/stat;
// Linux fixes it at 100 for user space.
const clockTicks = 100

// processCPU reads the user+system CPU time a process has used so far from
// /proc/<pid>/stat. The server's CPU time per request is a figure that other
// jobs on a shared machine disturb much less than req/s and latency.
func processCPU(pid int) (time.Duration, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	return parseStat(string(raw))
}

// parseStat takes utime and stime (fields 14 and 15) from a stat line. The
// command name (field 2) is in parentheses and may contain spaces, so fields
// are counted from the last ')'.
func parseStat(line string) (time.Duration, error) {
	i := strings.LastIndexByte(line, ')')
	if i < 0 {
		return 0, errors.New("malformed /proc stat line")
	}
	f := strings.Fields(line[i+1:])
	if len(f) < 13 {
		return 0, errors.New("short /proc stat line")
	}
	// f[0] is field 3 (state), so utime is f[11] and stime f[12].
	ut, err1 := strconv.ParseUint(f[11], 10, 64)
	st, err2 := strconv.ParseUint(f[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, fmt.Errorf("malformed /proc stat times: %w", err)
	}
	return time.Duration(ut+st) * time.Second / clockTicks, nil
}
