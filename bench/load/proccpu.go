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

// resetPeakRSS asks Linux to restart the process's peak-RSS count (VmHWM)
// from its current RSS (writing 5 to /proc/<pid>/clear_refs, Linux 4.0+;
// the same user may do it). It reports whether that worked: if not, VmHWM
// is the peak since the process started.
func resetPeakRSS(pid int) bool {
	return os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0) == nil
}

// peakRSS reads VmHWM (peak resident set size) from /proc/<pid>/status, in
// bytes.
func peakRSS(pid int) (int64, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	return parseVmHWM(string(raw))
}

// parseVmHWM takes the "VmHWM:   12345 kB" line of a status file.
func parseVmHWM(status string) (int64, error) {
	for _, line := range strings.Split(status, "\n") {
		rest, ok := strings.CutPrefix(line, "VmHWM:")
		if !ok {
			continue
		}
		f := strings.Fields(rest)
		if len(f) != 2 || f[1] != "kB" {
			return 0, errors.New("malformed VmHWM line")
		}
		kb, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil || kb < 0 {
			return 0, errors.New("malformed VmHWM value")
		}
		return kb * 1024, nil
	}
	return 0, errors.New("no VmHWM in /proc status")
}
