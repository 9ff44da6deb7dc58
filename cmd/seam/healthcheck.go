package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// healthcheck asks a running `seam serve` for /readyz (or /healthz with
// --live) and exits 0 only on 200: the container health check of images
// without curl (distroless, scratch). It reads SEAM_ADMIN_ADDR, else
// SEAM_ADDR, so it needs no flags inside the container.
func healthcheck(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	var url string
	var live bool
	var timeout time.Duration
	cfg, err := parseFlags("healthcheck", []string{"addr", "admin-addr"}, args, env, stdout, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&url, "url", "", "probe this URL instead of http://ADDR/readyz (ADDR: --admin-addr if set, else --addr)")
		fs.BoolVar(&live, "live", false, "probe /healthz (the process is up) instead of /readyz")
		fs.DurationVar(&timeout, "timeout", 3*time.Second, "give up after this long")
	})
	if err != nil {
		return err
	}
	if url == "" {
		addr := cfg.Addr
		if cfg.AdminAddr != "" {
			addr = cfg.AdminAddr
		}
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			return fmt.Errorf("healthcheck: address %q: %w", addr, err)
		}
		if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
			host = "127.0.0.1" // a wildcard listener answers on loopback
		}
		path := "/readyz"
		if live {
			path = "/healthz"
		}
		url = "http://" + net.JoinHostPort(host, port) + path
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %s: %w", url, err)
	}
	defer resp.Body.Close()
	var body struct {
		ErrorType string `json:"error_type"`
	}
	_ = json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck: %s answered %d %s", url, resp.StatusCode, body.ErrorType)
	}
	fmt.Fprintln(stdout, "ok", url)
	return nil
}
