package webhooks_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seamsso/seam/internal/apptest"
	"github.com/seamsso/seam/internal/config"
)

// verify is the Go sample of docs/events.md ("Verifying in Go"), compiled
// and run here against real deliveries; TestVerifySampleIsTheDocs keeps the
// two copies the same.
func verify(secret string, h http.Header, body []byte) error {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		return err
	}
	id, ts := h.Get("webhook-id"), h.Get("webhook-timestamp")
	sent, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || time.Since(time.Unix(sent, 0)).Abs() > 5*time.Minute {
		return errors.New("stale or missing timestamp")
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(id + "." + ts + "."))
	m.Write(body)
	want := "v1," + base64.StdEncoding.EncodeToString(m.Sum(nil))
	for _, sig := range strings.Fields(h.Get("webhook-signature")) {
		if hmac.Equal([]byte(sig), []byte(want)) {
			return nil
		}
	}
	return errors.New("no signature matches")
}

// delivery is one request as the receiver got it.
type delivery struct {
	header http.Header
	body   []byte
}

// TestVerifySampleAcceptsRealDeliveries: the documented verifier accepts
// what Seam's dispatcher sends (also during a secret rotation, when two
// signatures are sent), and refuses a changed body, another secret and a
// stale timestamp.
func TestVerifySampleAcceptsRealDeliveries(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		e := apptest.New(t, backend, func(c *config.Config) { c.OutboundAllow = "127.0.0.0/8" })
		var mu sync.Mutex
		var got []delivery
		rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			mu.Lock()
			got = append(got, delivery{r.Header.Clone(), b})
			mu.Unlock()
			w.WriteHeader(http.StatusNoContent)
		}))
		defer rcv.Close()
		r := e.MustOK(e.Call("POST", "/v1/webhooks/endpoints", map[string]any{"url": rcv.URL + "/hook"}))
		secret := r.Str("signing_secret")
		id := r.Obj("endpoint")["endpoint_id"].(string)
		send := func() {
			for range 10 {
				n, err := e.App.Dispatcher.Step(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				if n == 0 {
					return
				}
			}
		}
		e.CreateOrg("Acme", "acme")
		send() // signed with the first secret alone
		rotated := e.MustOK(e.Call("POST", "/v1/webhooks/endpoints/"+id+"/rotate_secret", nil)).Str("signing_secret")
		e.CreateOrg("Beta", "beta")
		send() // signed with both
		mu.Lock()
		defer mu.Unlock()
		if len(got) != 4 { // endpoint create, organization, rotation, organization
			t.Fatalf("%d deliveries", len(got))
		}
		for i, d := range got {
			if err := verify(secret, d.header, d.body); err != nil {
				t.Errorf("delivery %d with the first secret: %v", i, err)
			}
			if err := verify(rotated, d.header, d.body); (err == nil) != (i >= 2) {
				t.Errorf("delivery %d with the rotated secret: %v", i, err)
			}
			tampered := append([]byte(nil), d.body...)
			tampered[len(tampered)-2] ^= 1
			if verify(secret, d.header, tampered) == nil {
				t.Errorf("delivery %d: a changed body verifies", i)
			}
			if verify("whsec_"+base64.StdEncoding.EncodeToString(make([]byte, 32)), d.header, d.body) == nil {
				t.Errorf("delivery %d: another secret verifies", i)
			}
			stale := d.header.Clone()
			stale.Set("webhook-timestamp", strconv.FormatInt(time.Now().Add(-time.Hour).Unix(), 10))
			if verify(secret, stale, d.body) == nil {
				t.Errorf("delivery %d: an hour-old timestamp verifies", i)
			}
		}
	})
}

// TestVerifySampleIsTheDocs: the Go block under "Verifying in Go" in
// docs/events.md is, line for line, the verify function above.
func TestVerifySampleIsTheDocs(t *testing.T) {
	doc, err := os.ReadFile("../../docs/events.md")
	if err != nil {
		t.Fatal(err)
	}
	self, err := os.ReadFile("verify_example_test.go")
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(doc), "### Verifying in Go")
	_, block, ok2 := strings.Cut(after, "```go\n")
	block, _, ok3 := strings.Cut(block, "```")
	if !ok || !ok2 || !ok3 || !strings.HasPrefix(block, "func verify(") {
		t.Fatal("docs/events.md has no Go block starting with func verify under \"### Verifying in Go\"")
	}
	if !strings.Contains(string(self), "\n"+block) {
		t.Errorf("docs/events.md's verify differs from this file's:\n%s", block)
	}
}
