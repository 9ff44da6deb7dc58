package httpapi_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seamsso/seam/internal/apptest"
	"github.com/seamsso/seam/internal/config"
	"github.com/seamsso/seam/internal/events"
	"github.com/seamsso/seam/internal/store"
	"github.com/seamsso/seam/internal/webhooks"
)

// allowLoopback lets the guarded outbound client reach test receivers.
func allowLoopback(c *config.Config) { c.OutboundAllow = "127.0.0.0/8" }

// receiver is a webhook endpoint under test. It verifies every delivery the
// way the Standard Webhooks specification says (written here from the
// specification, independently of internal/webhooks), and keeps a log
// deduplicated by message ID, as a receiver must under at-least-once
// delivery.
type receiver struct {
	t   *testing.T
	srv *httptest.Server
	mu  sync.Mutex
	// keys are the secrets' HMAC keys any one of which must have signed.
	keys    [][]byte
	status  atomic.Int32 // answer; 0 means 204
	started atomic.Int32 // requests that reached the handler
	delay   atomic.Int64 // nanoseconds to wait before answering
	hits    map[string]int
	order   []string // first receipt of each ID
	bodies  map[string]map[string]any
	sigs    map[string]int // signatures per delivery, last seen
	bad     []string
	now     func() time.Time // the app's clock, which tests move

	inFlight    atomic.Int32 // requests being answered now
	maxInFlight atomic.Int32 // the most inFlight has been
}

func newReceiver(t *testing.T, now func() time.Time) *receiver {
	r := &receiver{t: t, hits: map[string]int{}, bodies: map[string]map[string]any{}, sigs: map[string]int{}, now: now}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) setSecret(secrets ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.keys = nil
	for _, s := range secrets {
		k, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(s, "whsec_"))
		if err != nil || !strings.HasPrefix(s, "whsec_") {
			r.t.Fatalf("signing secret %q", s)
		}
		r.keys = append(r.keys, k)
	}
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	r.started.Add(1)
	n := r.inFlight.Add(1)
	defer r.inFlight.Add(-1)
	for m := r.maxInFlight.Load(); n > m; m = r.maxInFlight.Load() {
		if r.maxInFlight.CompareAndSwap(m, n) {
			break
		}
	}
	if d := r.delay.Load(); d > 0 {
		time.Sleep(time.Duration(d))
	}
	body, _ := io.ReadAll(req.Body)
	id, ts, sig := req.Header.Get("webhook-id"), req.Header.Get("webhook-timestamp"), req.Header.Get("webhook-signature")
	r.mu.Lock()
	defer r.mu.Unlock()
	if req.Header.Get("svix-id") != id || req.Header.Get("svix-timestamp") != ts || req.Header.Get("svix-signature") != sig {
		r.bad = append(r.bad, "svix-* and webhook-* headers differ")
	}
	sent, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || r.now().Sub(time.Unix(sent, 0)).Abs() > 5*time.Minute {
		r.bad = append(r.bad, "timestamp "+ts)
	}
	ok := false
	for _, k := range r.keys {
		m := hmac.New(sha256.New, k)
		m.Write([]byte(id + "." + ts + "."))
		m.Write(body)
		want := "v1," + base64.StdEncoding.EncodeToString(m.Sum(nil))
		for _, s := range strings.Fields(sig) {
			ok = ok || hmac.Equal([]byte(s), []byte(want))
		}
	}
	if !ok {
		r.bad = append(r.bad, "signature of "+id+" does not verify")
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	if st := r.status.Load(); st != 0 {
		w.WriteHeader(int(st))
		return
	}
	if r.hits[id] == 0 {
		r.order = append(r.order, id)
		var b map[string]any
		_ = json.Unmarshal(body, &b)
		r.bodies[id] = b
	}
	r.hits[id]++
	r.sigs[id] = len(strings.Fields(sig))
	w.WriteHeader(http.StatusNoContent)
}

func (r *receiver) signatures(id string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.sigs[id]
}

func (r *receiver) snapshot() (map[string]int, []string, []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	h := map[string]int{}
	for k, v := range r.hits {
		h[k] = v
	}
	return h, slices.Clone(r.order), slices.Clone(r.bad)
}

// createEndpoint adds an endpoint and tells the receiver its secret.
func createEndpoint(e *apptest.Env, rcv *receiver, types ...string) string {
	e.T.Helper()
	body := map[string]any{"url": rcv.srv.URL + "/hook"}
	if len(types) > 0 {
		body["event_types"] = types
	}
	r := e.MustOK(e.Call("POST", "/v1/webhooks/endpoints", body))
	rcv.setSecret(r.Str("signing_secret"))
	return r.Obj("endpoint")["endpoint_id"].(string)
}

// drain steps the dispatcher until a step sends nothing.
func drain(t *testing.T, d *webhooks.Dispatcher) {
	t.Helper()
	for range 100 {
		n, err := d.Step(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
	t.Fatal("the dispatcher never ran out of work")
}

// projectEventIDs lists the project's event IDs after seq, of the given
// types (all without), in order.
func projectEventIDs(t *testing.T, e *apptest.Env, after int64, types ...string) []string {
	t.Helper()
	evs, err := e.App.Store.ListEvents(context.Background(), store.EventFilter{ProjectID: e.Creds.ProjectID, AfterSeq: after, Limit: 10000})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, ev := range evs {
		if len(types) == 0 || slices.Contains(types, ev.Type) {
			out = append(out, ev.ID)
		}
	}
	return out
}

func TestWebhookEndpointsAPI(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		e := apptest.New(t, backend, allowLoopback)
		rcv := newReceiver(t, e.Clock.Now)
		r := e.MustOK(e.Call("POST", "/v1/webhooks/endpoints", map[string]any{"url": rcv.srv.URL, "event_types": []string{"direct.member.create"}}))
		secret, ep := r.Str("signing_secret"), r.Obj("endpoint")
		if !strings.HasPrefix(secret, "whsec_") || ep["enabled"] != true || ep["url"] != rcv.srv.URL {
			t.Fatalf("create = %s", r.Raw)
		}
		id := ep["endpoint_id"].(string)
		list := e.MustOK(e.Call("GET", "/v1/webhooks/endpoints", nil))
		if strings.Contains(string(list.Raw), secret) || strings.Contains(string(list.Raw), strings.TrimPrefix(secret, "whsec_")) {
			t.Fatal("the list shows the signing secret")
		}
		var sealed string
		if err := e.App.Store.DB().QueryRow(`SELECT secret_sealed FROM webhook_endpoints WHERE id = $1`, id).Scan(&sealed); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(sealed, strings.TrimPrefix(secret, "whsec_")) {
			t.Fatal("the signing secret is stored in the clear")
		}
		up := e.MustOK(e.Call("PUT", "/v1/webhooks/endpoints/"+id, map[string]any{"event_types": []string{"direct.member.update", "direct.member.update"}}))
		if got := up.Obj("endpoint")["event_types"].([]any); len(got) != 1 || got[0] != "direct.member.update" {
			t.Errorf("event_types = %v", got)
		}
		e.WantError(e.Call("PUT", "/v1/webhooks/endpoints/"+id, map[string]any{"event_types": []string{"direct.member.explode"}}), 400, "invalid_event_types")
		e.WantError(e.Call("POST", "/v1/webhooks/endpoints", map[string]any{}), 400, "invalid_webhook_url")
		rot := e.MustOK(e.Call("POST", "/v1/webhooks/endpoints/"+id+"/rotate_secret", nil))
		if s := rot.Str("signing_secret"); !strings.HasPrefix(s, "whsec_") || s == secret {
			t.Errorf("rotated secret %q", s)
		}
		e.WantError(e.Call("GET", "/v1/webhooks/endpoints/webhook-endpoint-test-nope", nil), 404, "webhook_endpoint_not_found")
		e.MustOK(e.Call("DELETE", "/v1/webhooks/endpoints/"+id, nil))
		e.WantError(e.Call("DELETE", "/v1/webhooks/endpoints/"+id, nil), 404, "webhook_endpoint_not_found")
		// The endpoint's own changes are in the audit log, without its secret.
		evs := e.MustOK(e.Call("GET", "/v1/events?object_type=webhook_endpoint", nil))
		// create, update, rotate (an update), delete; the refused update recorded nothing.
		if n := len(evs.Body["events"].([]any)); n != 4 {
			t.Errorf("%d webhook_endpoint events: %s", n, evs.Raw)
		}
		if strings.Contains(string(evs.Raw), "whsec_") {
			t.Error("an event holds a signing secret")
		}
	})
}

// TestWebhookURLsRefused: destinations the guarded client refuses are
// refused when the endpoint is saved, and a receiver's redirect is never
// followed (to a private address or anywhere).
func TestWebhookURLsRefused(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		strict := apptest.New(t, backend) // no SEAM_OUTBOUND_ALLOW
		for _, u := range []string{
			"http://127.0.0.1:9/hook", "https://127.0.0.1/hook", "https://localhost/hook", "https://10.1.2.3/hook",
			"https://192.168.0.10/hook", "https://169.254.169.254/latest", "https://[::1]/hook", "https://2130706433/hook",
			"ftp://example.com/hook", "https://user:pw@example.com/hook", "http://example.com/hook", "not a url",
		} {
			strict.WantError(strict.Call("POST", "/v1/webhooks/endpoints", map[string]any{"url": u}), 400, "invalid_webhook_url")
		}
		var n int
		_ = strict.App.Store.DB().QueryRow(`SELECT COUNT(*) FROM webhook_endpoints`).Scan(&n)
		if n != 0 {
			t.Fatalf("%d refused endpoints stored", n)
		}

		e := apptest.New(t, backend, allowLoopback)
		var targetHits atomic.Int32
		target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { targetHits.Add(1) }))
		defer target.Close()
		redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, target.URL+"/hook", http.StatusTemporaryRedirect)
		}))
		defer redirect.Close()
		id := e.MustOK(e.Call("POST", "/v1/webhooks/endpoints", map[string]any{"url": redirect.URL})).Obj("endpoint")["endpoint_id"].(string)
		e.CreateOrg("Redirected", "redirected")
		drain(t, e.App.Dispatcher)
		if targetHits.Load() != 0 {
			t.Fatal("the dispatcher followed a redirect")
		}
		at := e.MustOK(e.Call("GET", "/v1/webhooks/endpoints/"+id+"/deliveries", nil)).Body["attempts"].([]any)
		if len(at) == 0 || at[0].(map[string]any)["outcome"] == "success" {
			t.Fatalf("attempts = %v", at)
		}
	})
}

// TestWebhookReceiverDownThenUp: a receiver that fails for a while then
// answers gets every event exactly once in its deduplicated log, each
// verified, after retries spread by backoff; nothing is lost across a
// dispatcher restart (a new Dispatcher on the same database).
func TestWebhookReceiverDownThenUp(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		e := apptest.New(t, backend, allowLoopback)
		rcv := newReceiver(t, e.Clock.Now)
		base := maxSeq(t, e)
		epID := createEndpoint(e, rcv)
		rcv.status.Store(http.StatusServiceUnavailable)
		// The receiver takes 40ms to fail: the attempts' latency shows it.
		rcv.delay.Store(int64(40 * time.Millisecond))
		org := e.CreateOrg("Acme", "acme")["organization_id"].(string)
		for i := range 5 {
			createMember(e, org, "m"+strconv.Itoa(i)+"@acme.example")
		}
		drain(t, e.App.Dispatcher)
		rcv.delay.Store(0)
		hits, _, bad := rcv.snapshot()
		if len(hits) != 0 || len(bad) != 0 {
			t.Fatalf("while down: %v %v", hits, bad)
		}
		at := e.MustOK(e.Call("GET", "/v1/webhooks/endpoints/"+epID+"/deliveries", nil)).Body["attempts"].([]any)
		first := at[0].(map[string]any)
		if first["status_code"] != float64(503) || first["outcome"] != "http_error" {
			t.Errorf("attempt = %v", first)
		}
		// latency_ms is the wall time of each attempt: at least the
		// receiver's delay, well under the request timeout.
		for _, a := range at {
			if ms, ok := a.(map[string]any)["latency_ms"].(float64); !ok || ms < 40 || ms >= 15000 {
				t.Errorf("latency_ms of %v", a)
			}
		}
		// A second failure after the first retry delay.
		e.Clock.Advance(10 * time.Second)
		drain(t, e.App.Dispatcher)
		// The receiver comes back; a new dispatcher (a restarted Seam) sends
		// what is due.
		rcv.status.Store(0)
		restarted := *e.App.Dispatcher
		e.Clock.Advance(time.Minute)
		drain(t, &restarted)
		hits, _, bad = rcv.snapshot()
		want := projectEventIDs(t, e, base)
		if len(bad) != 0 {
			t.Fatalf("verification failures: %v", bad)
		}
		if len(hits) != len(want) || len(want) < 7 { // endpoint create, org create, 5 members
			t.Fatalf("receiver has %d events, the project %d", len(hits), len(want))
		}
		for _, id := range want {
			if hits[id] != 1 {
				t.Errorf("event %s received %d times", id, hits[id])
			}
		}
		// Nothing more to send.
		e.Clock.Advance(24 * time.Hour)
		drain(t, e.App.Dispatcher)
		if h, _, _ := rcv.snapshot(); len(h) != len(want) {
			t.Errorf("later steps sent more")
		}
	})
}

// TestWebhookOrderPerObject: the changes of one object reach the endpoint
// in the order they were made, even when the first delivery must be retried.
func TestWebhookOrderPerObject(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		e := apptest.New(t, backend, allowLoopback)
		rcv := newReceiver(t, e.Clock.Now)
		base := maxSeq(t, e)
		createEndpoint(e, rcv, "direct.organization.create", "direct.organization.update")
		rcv.status.Store(http.StatusInternalServerError)
		org := e.CreateOrg("Acme", "acme")["organization_id"].(string)
		drain(t, e.App.Dispatcher) // the create fails once
		rcv.status.Store(0)
		for i := range 3 {
			e.MustOK(e.Call("PUT", "/v1/b2b/organizations/"+org, map[string]any{"organization_name": "Acme " + strconv.Itoa(i)}))
		}
		drain(t, e.App.Dispatcher) // the updates wait behind the create's retry
		if h, _, _ := rcv.snapshot(); len(h) != 0 {
			t.Fatalf("updates overtook the pending create: %v", h)
		}
		e.Clock.Advance(time.Minute)
		for range 5 {
			drain(t, e.App.Dispatcher)
		}
		_, order, bad := rcv.snapshot()
		want := projectEventIDs(t, e, base, "direct.organization.create", "direct.organization.update")
		if len(bad) != 0 || !slices.Equal(order, want) {
			t.Fatalf("received %v, want %v (%v)", order, want, bad)
		}
	})
}

// TestWebhookSecretRotation: during the overlap both secrets sign (two v1
// signatures); a receiver still on the old secret verifies, and one on the
// new secret too.
func TestWebhookSecretRotation(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		e := apptest.New(t, backend, allowLoopback)
		rcv := newReceiver(t, e.Clock.Now)
		base := maxSeq(t, e)
		epID := createEndpoint(e, rcv)
		rcv.mu.Lock()
		oldKeys := slices.Clone(rcv.keys)
		rcv.mu.Unlock()
		newSecret := e.MustOK(e.Call("POST", "/v1/webhooks/endpoints/"+epID+"/rotate_secret", nil)).Str("signing_secret")
		// The application has not switched yet: it verifies with the old key.
		rcv.mu.Lock()
		rcv.keys = oldKeys
		rcv.mu.Unlock()
		e.CreateOrg("Acme", "acme")
		drain(t, e.App.Dispatcher)
		rcv.setSecret(newSecret)
		e.CreateOrg("Beta", "beta")
		drain(t, e.App.Dispatcher)
		hits, _, bad := rcv.snapshot()
		if len(bad) != 0 || len(hits) != 4 { // create, rotate (update), two organizations
			t.Fatalf("hits %v bad %v", hits, bad)
		}
		for id := range hits {
			if n := rcv.signatures(id); n != 2 {
				t.Errorf("%s carried %d signatures during the overlap", id, n)
			}
		}
		// After the overlap only the new secret signs.
		e.Clock.Advance(webhooks.DefaultRotationOverlap + time.Minute)
		org := e.CreateOrg("Gamma", "gamma")["organization_id"].(string)
		drain(t, e.App.Dispatcher)
		for _, id := range projectEventIDs(t, e, base) {
			ev, _ := e.App.Store.GetEvent(context.Background(), e.Creds.ProjectID, id)
			if n := rcv.signatures(id); ev.ObjectID == org && n != 1 {
				t.Errorf("after the overlap: %d signatures", n)
			}
		}
	})
}

// TestWebhookEndpointDisabledAfterFailureStreak: an endpoint that fails
// DisableMinFailures attempts in a row over DisableAfter is disabled, with
// the reason visible, and is enabled again through the API.
func TestWebhookEndpointDisabledAfterFailureStreak(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		e := apptest.New(t, backend, allowLoopback)
		rcv := newReceiver(t, e.Clock.Now)
		base := maxSeq(t, e)
		epID := createEndpoint(e, rcv)
		rcv.status.Store(http.StatusBadGateway)
		d := *e.App.Dispatcher
		d.Options.DisableMinFailures, d.Options.DisableAfter = 3, time.Hour
		for i := range 4 {
			e.CreateOrg("Org", "org-"+strconv.Itoa(i))
		}
		drain(t, &d) // 5 failures at once: the streak is long but not old enough
		ep := e.MustOK(e.Call("GET", "/v1/webhooks/endpoints/"+epID, nil)).Obj("endpoint")
		if ep["enabled"] != true || ep["failure_streak"] != float64(5) {
			t.Fatalf("after a burst: %v", ep)
		}
		e.Clock.Advance(2 * time.Hour)
		drain(t, &d)
		ep = e.MustOK(e.Call("GET", "/v1/webhooks/endpoints/"+epID, nil)).Obj("endpoint")
		if ep["enabled"] != false || !strings.Contains(ep["disabled_reason"].(string), "failed attempts in a row") {
			t.Fatalf("after a long streak: %v", ep)
		}
		e.WantError(e.Call("POST", "/v1/webhooks/endpoints/"+epID+"/replay", map[string]any{"since": "2000-01-01T00:00:00Z"}), 400, "webhook_endpoint_disabled")
		if got := eventsAfter(t, e, base); got[len(got)-1].typ != "operator.webhook_endpoint.update" || got[len(got)-1].actor != "system" {
			t.Errorf("the disabling is not in the events log: %+v", got[len(got)-1])
		}
		// Enabled again, with the receiver fixed: a replay of the range sends
		// every event, the endpoint's disabling included.
		rcv.status.Store(0)
		e.MustOK(e.Call("PUT", "/v1/webhooks/endpoints/"+epID, map[string]any{"enabled": true}))
		n := e.MustOK(e.Call("POST", "/v1/webhooks/endpoints/"+epID+"/replay", map[string]any{"since": "2000-01-01T00:00:00Z"})).Body["replayed"]
		drain(t, &d)
		hits, _, bad := rcv.snapshot()
		// The range holds the events from before the endpoint too.
		if all := projectEventIDs(t, e, 0); len(bad) != 0 || float64(len(hits)) != n.(float64) || len(hits) != len(all) {
			t.Fatalf("replayed %v, received %d of %d (%v)", n, len(hits), len(all), bad)
		}
		one := projectEventIDs(t, e, base)[0]
		e.MustOK(e.Call("POST", "/v1/webhooks/endpoints/"+epID+"/replay", map[string]any{"event_id": one}))
		drain(t, &d)
		if h, _, _ := rcv.snapshot(); h[one] != 2 {
			t.Errorf("a replayed event arrives again with its ID: %d", h[one])
		}
	})
}

// TestWebhookPerEndpointConcurrency: one dispatcher sends at most
// PerEndpoint requests to an endpoint at once (docs/events.md: 8 per
// replica), each held by the receiver for a while, and every event still
// arrives; with the default cap the same backlog is sent more widely, so
// the cap is what bounds it.
func TestWebhookPerEndpointConcurrency(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		e := apptest.New(t, backend, allowLoopback)
		rcv := newReceiver(t, e.Clock.Now)
		base := maxSeq(t, e)
		createEndpoint(e, rcv)
		rcv.delay.Store(int64(30 * time.Millisecond))
		// Members are separate objects, so per-object ordering holds none back.
		org := e.CreateOrg("Acme", "acme")["organization_id"].(string)
		for i := range 12 {
			createMember(e, org, "m"+strconv.Itoa(i)+"@acme.example")
		}
		d := *e.App.Dispatcher
		d.Options.PerEndpoint = 2
		drain(t, &d)
		hits, _, bad := rcv.snapshot()
		want := projectEventIDs(t, e, base)
		if len(bad) != 0 || len(hits) != len(want) {
			t.Fatalf("received %d of %d events (%v)", len(hits), len(want), bad)
		}
		if m := rcv.maxInFlight.Load(); m != 2 {
			t.Fatalf("at most %d requests in flight, want the cap, 2", m)
		}

		rcv.maxInFlight.Store(0)
		for i := range 12 {
			createMember(e, org, "n"+strconv.Itoa(i)+"@acme.example")
		}
		drain(t, e.App.Dispatcher) // the default cap, 8
		if m := rcv.maxInFlight.Load(); m <= 2 || m > 8 {
			t.Errorf("with the default cap, %d requests in flight at most", m)
		}
		if h, _, _ := rcv.snapshot(); len(h) != len(projectEventIDs(t, e, base)) {
			t.Errorf("received %d events", len(h))
		}
	})
}

// TestSlowReceiverDoesNotSlowAPI: deliveries run beside the API, never in
// an API call; a receiver taking 2s per request leaves writes fast.
func TestSlowReceiverDoesNotSlowAPI(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		e := apptest.New(t, backend, allowLoopback)
		rcv := newReceiver(t, e.Clock.Now)
		createEndpoint(e, rcv)
		rcv.delay.Store(int64(2 * time.Second))
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { e.App.Dispatcher.Run(ctx); close(done) }()
		defer func() { cancel(); <-done }()
		org := e.CreateOrg("Acme", "acme")["organization_id"].(string)
		var slowest time.Duration
		for i := range 20 {
			start := time.Now()
			createMember(e, org, "m"+strconv.Itoa(i)+"@acme.example")
			slowest = max(slowest, time.Since(start))
		}
		if slowest > time.Second {
			t.Errorf("an API write took %v while the receiver was slow", slowest)
		}
		if h, _, _ := rcv.snapshot(); len(h) >= 22 {
			t.Errorf("the slow receiver already has every event (%d): the test did not overlap", len(h))
		}
	})
}

// TestTwoDispatchersDeliverEachEventOnce: two replicas' dispatchers on one
// database share the outbox; each event reaches the receiver once.
func TestTwoDispatchersDeliverEachEventOnce(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		e := apptest.New(t, backend, allowLoopback)
		rcv := newReceiver(t, e.Clock.Now)
		base := maxSeq(t, e)
		createEndpoint(e, rcv)
		rcv.delay.Store(int64(5 * time.Millisecond))
		org := e.CreateOrg("Acme", "acme")["organization_id"].(string)
		for i := range 40 {
			createMember(e, org, "m"+strconv.Itoa(i)+"@acme.example")
		}
		a, b := *e.App.Dispatcher, *e.App.Dispatcher
		a.Options.Batch, b.Options.Batch = 5, 5
		a.Log, b.Log = slog.New(slog.DiscardHandler), slog.New(slog.DiscardHandler)
		var wg sync.WaitGroup
		errs := make(chan error, 2)
		for _, d := range []*webhooks.Dispatcher{&a, &b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range 200 {
					n, err := d.Step(context.Background())
					if err != nil {
						errs <- err
						return
					}
					if n == 0 {
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		drain(t, &a)
		hits, _, bad := rcv.snapshot()
		want := projectEventIDs(t, e, base)
		if len(bad) != 0 || len(hits) != len(want) {
			t.Fatalf("received %d of %d (%v)", len(hits), len(want), bad)
		}
		for id, n := range hits {
			if n != 1 {
				t.Errorf("%s delivered %d times", id, n)
			}
		}
	})
}

// TestRolledBackChangeLeavesNoEvent: an event is written through the
// change's transaction, so when the transaction rolls back after the event
// was recorded, neither exists.
func TestRolledBackChangeLeavesNoEvent(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		e := apptest.New(t, backend)
		org := e.CreateOrg("Acme", "acme")
		before := maxSeq(t, e)
		boom := errors.New("rolled back")
		err := e.App.Store.Tx(context.Background(), func(q store.Queries) error {
			o, err := q.GetOrganizationForUpdate(context.Background(), e.Creds.ProjectID, "acme")
			if err != nil {
				return err
			}
			o.Name = "Changed"
			if err := q.UpdateOrganization(context.Background(), o); err != nil {
				return err
			}
			if err := e.App.Events.Record(context.Background(), q, events.Change{ProjectID: o.ProjectID, OrganizationID: o.ID,
				ObjectType: events.ObjectOrganization, ObjectID: o.ID, Action: events.Update, Object: map[string]string{"organization_name": o.Name}}); err != nil {
				return err
			}
			if got := eventsAfter(t, e, before); len(got) != 0 {
				t.Error("the event is visible outside its transaction before commit")
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatal(err)
		}
		if got := eventsAfter(t, e, before); len(got) != 0 {
			t.Fatalf("a rolled-back change left events %v", got)
		}
		if r := e.MustOK(e.Call("GET", "/v1/b2b/organizations/acme", nil)); r.Obj("organization")["organization_name"] != org["organization_name"] {
			t.Fatal("the change survived")
		}
		// Through the API: a refused update (a slug already used) leaves no event.
		e.CreateOrg("Beta", "beta")
		before = maxSeq(t, e)
		e.WantError(e.Call("PUT", "/v1/b2b/organizations/acme", map[string]any{"organization_slug": "beta"}), 400, "organization_slug_already_used")
		if got := eventsAfter(t, e, before); len(got) != 0 {
			t.Fatalf("a refused update left events %v", got)
		}
	})
}

// TestEventRetention: the dispatcher's cleanup deletes the events older
// than SEAM_EVENTS_RETENTION, with their deliveries, and keeps the others.
func TestEventRetention(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		e := apptest.New(t, backend, allowLoopback)
		rcv := newReceiver(t, e.Clock.Now)
		rcv.status.Store(http.StatusServiceUnavailable)
		createEndpoint(e, rcv)
		e.CreateOrg("Old", "old")
		drain(t, e.App.Dispatcher) // leaves pending deliveries
		e.Clock.Advance(webhooks.DefaultRetention - time.Hour)
		young := e.CreateOrg("Young", "young")["organization_id"].(string)
		e.Clock.Advance(2 * time.Hour) // the first events are now past the retention
		gone, err := e.App.Dispatcher.Purge(context.Background())
		if err != nil || gone < 3 { // the project, the endpoint, the old organization
			t.Fatalf("purged %d, %v", gone, err)
		}
		evs := e.MustOK(e.Call("GET", "/v1/events", nil)).Body["events"].([]any)
		if len(evs) != 1 || evs[0].(map[string]any)["object_id"] != young {
			t.Fatalf("after the cleanup: %v", evs)
		}
		var pending int
		_ = e.App.Store.DB().QueryRow(`SELECT COUNT(*) FROM webhook_deliveries WHERE event_id NOT IN (SELECT id FROM events)`).Scan(&pending)
		if pending != 0 {
			t.Errorf("%d deliveries of purged events left", pending)
		}
	})
}

// TestStoppingDispatcherReleasesDeliveries: when Seam stops mid-send, the
// deliveries it was sending are released at once (not counted as failed
// attempts, not hidden for the 2-minute lease): the next start sends them.
func TestStoppingDispatcherReleasesDeliveries(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		e := apptest.New(t, backend, allowLoopback)
		rcv := newReceiver(t, e.Clock.Now)
		base := maxSeq(t, e)
		createEndpoint(e, rcv)
		rcv.delay.Store(int64(3 * time.Second))
		e.CreateOrg("Acme", "acme")
		ctx, cancel := context.WithCancel(context.Background())
		stopped := make(chan struct{})
		go func() { e.App.Dispatcher.Run(ctx); close(stopped) }()
		deadline := time.Now().Add(10 * time.Second)
		for rcv.started.Load() == 0 && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		cancel()
		<-stopped
		rcv.delay.Store(0)
		drain(t, e.App.Dispatcher) // no clock change: a lease would hide them
		hits, _, bad := rcv.snapshot()
		if want := projectEventIDs(t, e, base); len(bad) != 0 || len(hits) != len(want) {
			t.Fatalf("after the restart the receiver has %d of %d (%v)", len(hits), len(want), bad)
		}
		// Every delivery was sent again and stored as delivered: none is
		// left pending under the stopped dispatcher's lease.
		var pending int
		_ = e.App.Store.DB().QueryRow(`SELECT COUNT(*) FROM webhook_deliveries WHERE status = 'pending'`).Scan(&pending)
		if pending != 0 {
			t.Errorf("%d deliveries still pending after the restart", pending)
		}
		var failed int
		_ = e.App.Store.DB().QueryRow(`SELECT COUNT(*) FROM webhook_attempts WHERE outcome <> 'success'`).Scan(&failed)
		if failed != 0 {
			t.Errorf("%d attempts counted as failures for a stop", failed)
		}
	})
}

// TestDispatcherWorksOffABacklogWithoutWaiting: events written faster than
// one fan-out batch per poll (a bulk import) are fanned out by consecutive
// steps, not one batch per poll interval. With a poll of an hour, only a
// dispatcher that steps again after work can fan out two dozen events in batches
// of 5 within the test's time.
func TestDispatcherWorksOffABacklogWithoutWaiting(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		e := apptest.New(t, backend, allowLoopback)
		createEndpoint(e, newReceiver(t, e.Clock.Now)) // events are queued for fan-out only for an endpoint
		org := e.CreateOrg("Acme", "acme")["organization_id"].(string)
		for i := range 22 {
			createMember(e, org, "m"+strconv.Itoa(i)+"@acme.example")
		}
		d := *e.App.Dispatcher
		d.Options.FanOut, d.Options.Poll = 5, time.Hour
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { d.Run(ctx); close(done) }()
		defer func() { cancel(); <-done }()
		deadline := time.Now().Add(20 * time.Second)
		for {
			left, err := e.App.Store.ClaimUnfannedEvents(context.Background(), 100)
			if err != nil {
				t.Fatal(err)
			}
			if len(left) == 0 {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d events still not fanned out: the dispatcher waited for its poll between batches", len(left))
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
}

// cancelOnTx is a store whose n-th transaction cancels the dispatcher's
// context as it starts: Seam starting to stop at that moment.
type cancelOnTx struct {
	store.Store
	n      *atomic.Int32
	at     int32
	cancel context.CancelFunc
}

func (s cancelOnTx) Tx(ctx context.Context, fn func(store.Queries) error) error {
	if s.n.Add(1) == s.at {
		s.cancel()
	}
	return s.Store.Tx(ctx, fn)
}

// TestStopDuringAFailedAttemptStoresIt: when Seam starts stopping just
// after an endpoint answered with an error, the attempt is still stored and
// the delivery's lease released; it does not wait out the lease after the
// restart (holding back every later event of its object with it).
func TestStopDuringAFailedAttemptStoresIt(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		e := apptest.New(t, backend, allowLoopback)
		rcv := newReceiver(t, e.Clock.Now)
		rcv.status.Store(http.StatusServiceUnavailable)
		createEndpoint(e, rcv)
		e.CreateOrg("Acme", "acme")
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		d := *e.App.Dispatcher
		// A step's transactions: the fan-out (1), then storing the failed
		// attempt (2), which is where the stop comes.
		d.Store = cancelOnTx{Store: e.App.Store, n: new(atomic.Int32), at: 2, cancel: cancel}
		if _, err := d.Step(ctx); err != nil {
			t.Fatal(err)
		}
		if ctx.Err() == nil {
			t.Fatal("the step never stored an attempt: the test did not stop it there")
		}
		var leased, attempts int
		_ = e.App.Store.DB().QueryRow(`SELECT COUNT(*) FROM webhook_deliveries WHERE status = 'pending' AND locked_until > $1`,
			e.Clock.Now().UTC().Format("2006-01-02T15:04:05.000000Z")).Scan(&leased)
		_ = e.App.Store.DB().QueryRow(`SELECT COUNT(*) FROM webhook_attempts WHERE status_code = 503`).Scan(&attempts)
		if leased != 0 || attempts == 0 {
			t.Fatalf("after a stop during a failed attempt: %d deliveries still leased, %d attempts stored", leased, attempts)
		}
	})
}
