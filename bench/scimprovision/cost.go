package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
)

// cost measures what the server spent on the provisioning phase alone
// (not the lookups after it): the database statements it ran, from its own
// seam_db_query_duration_seconds counts on /metrics, and, given its process
// ID, its CPU time from /proc.
type cost struct {
	c       config
	client  *http.Client
	queries map[string]float64 // "<op> count" and "<op> sum" (seconds)
	cpu     float64            // seconds; 0 without -server-pid
}

func startCost(ctx context.Context, client *http.Client, c config) (*cost, error) {
	k := &cost{c: c, client: client}
	var err error
	if k.queries, err = scrapeQueries(ctx, client, c.base); err != nil {
		return nil, err
	}
	if c.serverPID > 0 {
		if k.cpu, err = processCPU(c.serverPID, c.clockTicks); err != nil {
			return nil, err
		}
	}
	return k, nil
}

// report prints the statements per POST, by operation (BEGIN and COMMIT are
// not statements the store observes: each transaction adds two), and the
// server's CPU time per POST. Background workers' statements in the same
// interval are counted too; over thousands of POSTs they are noise.
func (k *cost) report(ctx context.Context, out io.Writer, posts int) error {
	cpu := 0.0
	if k.c.serverPID > 0 {
		now, err := processCPU(k.c.serverPID, k.c.clockTicks)
		if err != nil {
			return err
		}
		cpu = now - k.cpu
	}
	after, err := scrapeQueries(ctx, k.client, k.c.base)
	if err != nil {
		return err
	}
	var ops []string
	for key := range after {
		if op, ok := strings.CutSuffix(key, " count"); ok {
			ops = append(ops, op)
		}
	}
	sort.Strings(ops)
	n := float64(posts)
	per := func(op, what string) float64 { return (after[op+" "+what] - k.queries[op+" "+what]) / n }
	total, inStatements, parts := 0.0, 0.0, []string{}
	for _, op := range ops {
		if op == "transaction" {
			total += 2 * per(op, "count")
			parts = append(parts, fmt.Sprintf("BEGIN+COMMIT %.2f", 2*per(op, "count")))
			continue
		}
		total += per(op, "count")
		inStatements += per(op, "sum")
		parts = append(parts, fmt.Sprintf("%s %.2f", op, per(op, "count")))
	}
	fmt.Fprintf(out, "statements per POST: %.2f (%s)\n", total, strings.Join(parts, ", "))
	// Statement time counts each statement from its send to its first
	// rows; transaction time runs from BEGIN (with the wait for a pooled
	// connection) to the end of COMMIT and holds the statements run in it.
	fmt.Fprintf(out, "database time per POST: %.2f ms in statements (outside and inside transactions), %.2f ms in transactions\n",
		inStatements*1e3, per("transaction", "sum")*1e3)
	if k.c.serverPID > 0 {
		fmt.Fprintf(out, "seam serve CPU during provisioning: %.2f s, %.0f µs per POST\n", cpu, cpu/n*1e6)
	}
	return nil
}

// scrapeQueries reads the per-operation statement counts and total
// seconds from /metrics.
func scrapeQueries(ctx context.Context, client *http.Client, base string) (map[string]float64, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", base+"/metrics", nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET /metrics: status %d", resp.StatusCode)
	}
	const prefix = `seam_db_query_duration_seconds_`
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), prefix)
		if !ok {
			continue
		}
		what, rest, ok := strings.Cut(rest, `{operation="`)
		if !ok || what != "count" && what != "sum" {
			continue
		}
		op, value, ok := strings.Cut(rest, `"} `)
		if !ok {
			continue
		}
		v, err := strconv.ParseFloat(value, 64)
		if err != nil {
			return nil, fmt.Errorf("metrics line %q: %w", sc.Text(), err)
		}
		out[op+" "+what] = v
	}
	return out, sc.Err()
}

// processCPU is a process's user plus system CPU time in seconds.
func processCPU(pid, ticks int) (float64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name (field 2) may hold spaces; fields after its closing
	// parenthesis start at field 3, so utime and stime (14, 15) are 11 and 12.
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: too few fields", pid)
	}
	u, err1 := strconv.ParseFloat(f[11], 64)
	st, err2 := strconv.ParseFloat(f[12], 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("/proc/%d/stat: bad utime/stime", pid)
	}
	return (u + st) / float64(ticks), nil
}
