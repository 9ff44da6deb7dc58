package outbound

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"
)

func loopbackConfig(t *testing.T) Config {
	p, hp := mustAllow(t, "127.0.0.0/8")
	return Config{Allow: p, AllowHostPorts: hp}
}

func TestBodyLimits(t *testing.T) {
	big := bytes.Repeat([]byte("x"), 3<<20)
	mux := http.NewServeMux()
	mux.HandleFunc("/sized", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(len(big)))
		_, _ = w.Write(big)
	})
	mux.HandleFunc("/chunked", func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i < len(big); i += 64 << 10 {
			_, _ = w.Write(big[i : i+64<<10])
			w.(http.Flusher).Flush()
		}
	})
	mux.HandleFunc("/exact", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write(big[:DefaultMaxBody])
	})
	mux.HandleFunc("/lying-length", func(w http.ResponseWriter, r *http.Request) {
		// Claims to be small, sends more: net/http stops at Content-Length,
		// so the client sees exactly the declared body.
		w.Header().Set("Content-Length", "10")
		_, _ = w.Write(big[:10])
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c := New(loopbackConfig(t))

	for _, tc := range []struct {
		path string
		kind Kind // 0: success
		n    int
	}{
		{"/sized", KindTooLarge, 0},
		{"/chunked", KindTooLarge, 0},
		{"/exact", 0, DefaultMaxBody},
		{"/lying-length", 0, 10},
	} {
		t.Run(tc.path, func(t *testing.T) {
			resp, err := c.Get(context.Background(), srv.URL+tc.path, "")
			if tc.kind != 0 {
				wantKind(t, err, tc.kind)
				if resp != nil {
					t.Fatal("truncated response returned")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(resp.Body) != tc.n {
				t.Fatalf("body %d bytes, want %d", len(resp.Body), tc.n)
			}
		})
	}

	small := New(Config{Allow: loopbackConfig(t).Allow, MaxBody: 100})
	_, err := small.Get(context.Background(), srv.URL+"/lying-length", "")
	if err != nil {
		t.Fatalf("10-byte body under a 100-byte cap: %v", err)
	}
	_, err = small.Get(context.Background(), srv.URL+"/exact", "")
	wantKind(t, err, KindTooLarge)
}

func gzipOf(t *testing.T, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.DefaultCompression)
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestGzipBomb: a small compressed body that inflates past MaxBody is refused;
// the cap applies after the transport's transparent decompression.
func TestGzipBomb(t *testing.T) {
	// 32 concatenated gzip members of 1 MiB of zeros each: 32 MiB (16x the
	// cap) from about 33 KiB on the wire. Multi-member streams are valid gzip
	// and compressing 1 MiB once keeps the race-enabled test fast.
	bomb := bytes.Repeat(gzipOf(t, make([]byte, 1<<20)), 32)
	fine := gzipOf(t, []byte("<EntityDescriptor/>"))
	var sawGzip atomic.Bool
	serve := func(body []byte) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			sawGzip.Store(r.Header.Get("Accept-Encoding") == "gzip")
			w.Header().Set("Content-Encoding", "gzip")
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			_, _ = w.Write(body)
		}
	}
	mux := http.NewServeMux()
	mux.Handle("/bomb", serve(bomb))
	mux.Handle("/fine", serve(fine))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c := New(loopbackConfig(t))

	if len(bomb) > DefaultMaxBody/10 {
		t.Fatalf("test bomb is %d bytes compressed; it should be far below the cap", len(bomb))
	}
	_, err := c.Get(context.Background(), srv.URL+"/bomb", "")
	wantKind(t, err, KindTooLarge)
	if !sawGzip.Load() {
		t.Fatal("client did not ask for gzip, so the test did not exercise decompression")
	}
	resp, err := c.Get(context.Background(), srv.URL+"/fine", "")
	if err != nil {
		t.Fatal(err)
	}
	if string(resp.Body) != "<EntityDescriptor/>" {
		t.Fatalf("decompressed body %q", resp.Body)
	}
}

func TestTimeouts(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	mux := http.NewServeMux()
	mux.HandleFunc("/slow-body", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "1000")
		_, _ = w.Write([]byte("<md:EntityDescriptor"))
		w.(http.Flusher).Flush()
		select { // trickle nothing more until the client gives up
		case <-r.Context().Done():
		case <-release:
		}
	})
	mux.HandleFunc("/slow-headers", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	mux.HandleFunc("/trickle", func(w http.ResponseWriter, r *http.Request) {
		// Slow loris: a byte at a time, each well inside any per-read
		// deadline, so only the overall timeout can stop it.
		for {
			if _, err := w.Write([]byte("x")); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				return
			case <-release:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	cfg := loopbackConfig(t)
	cfg.Timeout = 300 * time.Millisecond
	c := New(cfg)

	for _, path := range []string{"/slow-body", "/slow-headers", "/trickle"} {
		t.Run(path, func(t *testing.T) {
			start := time.Now()
			_, err := c.Get(context.Background(), srv.URL+path, "")
			wantKind(t, err, KindTimeout)
			if d := time.Since(start); d > 3*time.Second {
				t.Fatalf("gave up after %v with a 300ms timeout", d)
			}
		})
	}

	t.Run("caller deadline", func(t *testing.T) {
		slow := New(loopbackConfig(t)) // default 10s timeout
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := slow.Get(ctx, srv.URL+"/slow-headers", "")
		wantKind(t, err, KindTimeout)
		if d := time.Since(start); d > 3*time.Second {
			t.Fatalf("ignored the caller's deadline: %v", d)
		}
	})
}

func TestTooManyRedirects(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := hits.Add(1)
		http.Redirect(w, r, fmt.Sprintf("/hop%d", n), http.StatusFound)
	}))
	defer srv.Close()
	for _, tc := range []struct {
		max      int
		wantHits int64
	}{
		{0, DefaultMaxRedirects + 1}, // zero means the default, 3
		{1, 2},
		{-1, 1},
	} {
		t.Run(strconv.Itoa(tc.max), func(t *testing.T) {
			hits.Store(0)
			cfg := loopbackConfig(t)
			cfg.MaxRedirects = tc.max
			_, err := New(cfg).Get(context.Background(), srv.URL, "")
			wantKind(t, err, KindTooManyRedirects)
			if got := hits.Load(); got != tc.wantHits {
				t.Fatalf("server saw %d requests, want %d", got, tc.wantHits)
			}
		})
	}

	// Three redirects ending in a 200 are fine with the default.
	chain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n, _ := strconv.Atoi(r.URL.Query().Get("n")); n < DefaultMaxRedirects {
			http.Redirect(w, r, fmt.Sprintf("/?n=%d", n+1), http.StatusFound)
			return
		}
		_, _ = w.Write([]byte("done"))
	}))
	defer chain.Close()
	resp, err := New(loopbackConfig(t)).Get(context.Background(), chain.URL+"/?n=0", "")
	if err != nil || string(resp.Body) != "done" {
		t.Fatalf("redirect chain within the limit: %v", err)
	}
}
