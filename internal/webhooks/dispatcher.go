package webhooks

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/seamsso/seam/internal/events"
	"github.com/seamsso/seam/internal/ids"
	"github.com/seamsso/seam/internal/keys"
	"github.com/seamsso/seam/internal/outbound"
	"github.com/seamsso/seam/internal/store"
)

// Options tune a Dispatcher; zero fields take the defaults below.
type Options struct {
	Batch       int           // deliveries claimed per step (200)
	FanOut      int           // events turned into deliveries per step (500)
	PerEndpoint int           // concurrent requests to one endpoint per replica (8)
	Lease       time.Duration // how long a claimed delivery is kept from other replicas (2m)
	Timeout     time.Duration // one request, including the answer's headers (15s)
	MaxAttempts int           // attempts before a delivery is given up (DefaultMaxAttempts)
	// An endpoint is disabled when it has failed DisableMinFailures
	// attempts in a row over at least DisableAfter without one success
	// (defaults 10 and 5 days).
	DisableAfter       time.Duration
	DisableMinFailures int
	Retention          time.Duration // events older are deleted (30 days)
	Poll               time.Duration // wait when there is nothing to do (500ms)
}

// Defaults of Options.
const (
	DefaultRetention          = 30 * 24 * time.Hour
	DefaultDisableAfter       = 5 * 24 * time.Hour
	DefaultDisableMinFailures = 10
)

func (o Options) withDefaults() Options {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	defD := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&o.Batch, 200)
	def(&o.FanOut, 500)
	def(&o.PerEndpoint, 8)
	def(&o.MaxAttempts, DefaultMaxAttempts)
	def(&o.DisableMinFailures, DefaultDisableMinFailures)
	defD(&o.Lease, 2*time.Minute)
	defD(&o.Timeout, 15*time.Second)
	defD(&o.DisableAfter, DefaultDisableAfter)
	defD(&o.Retention, DefaultRetention)
	defD(&o.Poll, 500*time.Millisecond)
	return o
}

// Dispatcher turns events into deliveries and sends them. Any number of
// replicas may run one on the same database.
type Dispatcher struct {
	Store  store.Store
	Sealer *keys.Sealer
	// Client sends the requests: the guarded outbound client (SSRF rules,
	// no redirects followed).
	Client *http.Client
	Now    func() time.Time
	Rand   io.Reader // jitter
	IDs    ids.Generator
	Log    *slog.Logger
	// Events records the endpoint updates the dispatcher makes (disabling).
	Events *events.Recorder
	Options
}

// Run steps until ctx ends, purging expired events hourly.
func (d *Dispatcher) Run(ctx context.Context) {
	o := d.Options.withDefaults()
	var purgeAt time.Time
	for ctx.Err() == nil {
		n, err := d.Step(ctx)
		if err != nil && ctx.Err() == nil {
			d.Log.Warn("webhook dispatcher step failed", slog.String("error", err.Error()))
		}
		if now := d.Now(); !now.Before(purgeAt) {
			if gone, err := d.Purge(ctx); err != nil {
				d.Log.Warn("event retention cleanup failed", slog.String("error", err.Error()))
			} else if gone > 0 {
				d.Log.Info("expired events deleted", slog.Int("events", gone))
			}
			purgeAt = now.Add(time.Hour)
		}
		if n > 0 && err == nil {
			continue
		}
		t := time.NewTimer(o.Poll)
		select {
		case <-ctx.Done():
			t.Stop()
		case <-t.C:
		}
	}
}

// Purge deletes the events (with their deliveries) older than the retention.
func (d *Dispatcher) Purge(ctx context.Context) (int, error) {
	return d.Store.PurgeEvents(ctx, d.Now().Add(-d.Options.withDefaults().Retention))
}

// Step makes the deliveries of new events, then claims due deliveries and
// sends them; it returns how many events it fanned out plus how many
// deliveries it claimed, so 0 means there was nothing to do. Run steps again
// at once after any work: events fanned out by a step are not waited for
// until the next poll, and a backlog larger than one fan-out batch (events
// written faster than FanOut per Poll, as under a bulk import) is worked
// off without pausing.
func (d *Dispatcher) Step(ctx context.Context) (int, error) {
	o := d.Options.withDefaults()
	fanned, err := d.fanOut(ctx, o)
	if err != nil {
		return 0, err
	}
	now := d.Now()
	claimed, err := d.Store.ClaimWebhookDeliveries(ctx, now, now.Add(o.Lease), o.Batch)
	if err != nil || len(claimed) == 0 {
		return fanned, err
	}
	evs, eps, err := d.load(ctx, claimed)
	if err != nil {
		// Not sent (Seam stopping, or the database failing): release the
		// leases rather than leave the deliveries hidden until they end.
		d.release(context.WithoutCancel(ctx), claimed)
		return 0, err
	}
	byEndpoint := map[string][]*store.WebhookDelivery{}
	for _, c := range claimed {
		byEndpoint[c.EndpointID] = append(byEndpoint[c.EndpointID], c)
	}
	var wg sync.WaitGroup
	errs := make(chan error, len(claimed))
	// Successes are stored together after the batch, in one transaction:
	// a commit per delivery would bound throughput by the database's
	// commit latency.
	var okMu sync.Mutex
	var delivered []*store.WebhookAttempt
	for epID, queue := range byEndpoint {
		work := make(chan *store.WebhookDelivery, len(queue))
		for _, q := range queue {
			work <- q
		}
		close(work)
		// At most PerEndpoint requests to one endpoint at once.
		for range min(o.PerEndpoint, len(queue)) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for del := range work {
					a, err := d.deliver(ctx, o, eps[epID], evs[del.EventID], del)
					if err != nil {
						errs <- err
					}
					if a != nil {
						okMu.Lock()
						delivered = append(delivered, a)
						okMu.Unlock()
					}
				}
			}()
		}
	}
	wg.Wait()
	if len(delivered) > 0 {
		// Sent is sent: stored even when Seam is stopping.
		sctx := context.WithoutCancel(ctx)
		err := d.Store.Tx(sctx, func(q store.Queries) error {
			return q.DeliveredWebhookDeliveries(sctx, delivered, d.Now())
		})
		if err != nil {
			errs <- err
		}
	}
	close(errs)
	return fanned + len(claimed), <-errs // the first error, if any
}

// release ends the leases of claimed deliveries that were not sent.
func (d *Dispatcher) release(ctx context.Context, claimed []*store.WebhookDelivery) {
	now := d.Now()
	for _, c := range claimed {
		c.LockedUntil, c.UpdatedAt = now, now
		if err := d.Store.FinishWebhookDelivery(ctx, c, nil); err != nil {
			d.Log.Warn("webhook delivery lease not released; it ends by itself", slog.String("delivery_id", c.ID),
				slog.String("error", err.Error()))
			return
		}
	}
}

func (d *Dispatcher) load(ctx context.Context, claimed []*store.WebhookDelivery) (map[string]*store.Event, map[string]*store.WebhookEndpoint, error) {
	var evIDs, epIDs []string
	for _, c := range claimed {
		if !slices.Contains(evIDs, c.EventID) {
			evIDs = append(evIDs, c.EventID)
		}
		if !slices.Contains(epIDs, c.EndpointID) {
			epIDs = append(epIDs, c.EndpointID)
		}
	}
	evList, err := d.Store.EventsByID(ctx, evIDs)
	if err != nil {
		return nil, nil, err
	}
	epList, err := d.Store.WebhookEndpointsByID(ctx, epIDs)
	if err != nil {
		return nil, nil, err
	}
	evs := map[string]*store.Event{}
	for _, e := range evList {
		evs[e.ID] = e
	}
	eps := map[string]*store.WebhookEndpoint{}
	for _, e := range epList {
		eps[e.ID] = e
	}
	return evs, eps, nil
}

// fanOut makes one delivery per new event and subscribed enabled endpoint,
// in one transaction with marking the events done, so each event fans out
// once whatever the number of replicas.
func (d *Dispatcher) fanOut(ctx context.Context, o Options) (int, error) {
	fanned := 0
	err := d.Store.Tx(ctx, func(q store.Queries) error {
		evs, err := q.ClaimUnfannedEvents(ctx, o.FanOut)
		if err != nil || len(evs) == 0 {
			return err
		}
		var projects []string
		for _, e := range evs {
			if !slices.Contains(projects, e.ProjectID) {
				projects = append(projects, e.ProjectID)
			}
		}
		eps, err := q.EnabledWebhookEndpoints(ctx, projects)
		if err != nil {
			return err
		}
		now := d.Now()
		var ds []*store.WebhookDelivery
		seqs := make([]int64, 0, len(evs))
		for _, e := range evs {
			seqs = append(seqs, e.Seq)
			for _, ep := range eps {
				// An endpoint gets the events from its creation on.
				if ep.ProjectID == e.ProjectID && !e.CreatedAt.Before(ep.CreatedAt) && Subscribed(ep, e.Type) {
					ds = append(ds, newDelivery(d.IDs, ep, e, now))
				}
			}
		}
		if err := q.CreateWebhookDeliveries(ctx, ds); err != nil {
			return err
		}
		fanned = len(evs)
		return q.MarkEventsFannedOut(ctx, seqs)
	})
	return fanned, err
}

// Subscribed reports whether ep takes events of type t (no list: all).
func Subscribed(ep *store.WebhookEndpoint, t string) bool {
	return len(ep.EventTypes) == 0 || slices.Contains(ep.EventTypes, t)
}

func newDelivery(g ids.Generator, ep *store.WebhookEndpoint, e *store.Event, now time.Time) *store.WebhookDelivery {
	return &store.WebhookDelivery{ID: g.New(deliveryIDPrefix, environmentOf(ep.ID)), ProjectID: e.ProjectID, EndpointID: ep.ID,
		EventID: e.ID, EventSeq: e.Seq, ObjectID: e.ObjectID, Status: store.DeliveryPending,
		NextAttemptAt: now, LockedUntil: now, CreatedAt: now, UpdatedAt: now}
}

// environmentOf reads test or live from a webhook-endpoint-<env>-<uuid> ID.
func environmentOf(endpointID string) ids.Environment {
	if len(endpointID) > len(EndpointIDPrefix)+5 && endpointID[len(EndpointIDPrefix)+1:len(EndpointIDPrefix)+5] == "live" {
		return ids.Live
	}
	return ids.Test
}

// deliver sends one delivery and stores the outcome, except a success to
// an endpoint without a failure streak: its attempt is returned for the
// batch's common commit.
func (d *Dispatcher) deliver(ctx context.Context, o Options, ep *store.WebhookEndpoint, ev *store.Event, del *store.WebhookDelivery) (*store.WebhookAttempt, error) {
	now := d.Now()
	a := &store.WebhookAttempt{ID: d.IDs.New(attemptIDPrefix, environmentOf(del.EndpointID)), ProjectID: del.ProjectID,
		EndpointID: del.EndpointID, DeliveryID: del.ID, EventID: del.EventID, Attempt: del.Attempts + 1, CreatedAt: now}
	del.Attempts++
	del.UpdatedAt, del.LockedUntil = now, now
	switch {
	case ep == nil || ev == nil: // deleted meanwhile (retention, or the endpoint)
		del.Status, a.Outcome, a.Error = store.DeliveryFailed, "gone", "the event or the endpoint no longer exists"
		return nil, d.finish(context.WithoutCancel(ctx), o, del, a, false)
	case !ep.Enabled:
		del.Status, a.Outcome, a.Error = store.DeliveryFailed, "endpoint_disabled", "the endpoint is disabled; replay after enabling it"
		return nil, d.finish(context.WithoutCancel(ctx), o, del, a, false)
	}
	start := time.Now() // latency is wall time, whatever the injected clock says
	code, err := d.send(ctx, o, ep, ev)
	if ctx.Err() != nil {
		// Seam is stopping: not the endpoint's failure. Release the lease
		// so the next start (or another replica) sends it at once.
		del.Attempts--
		return nil, d.Store.FinishWebhookDelivery(context.WithoutCancel(ctx), del, nil)
	}
	a.LatencyMS = time.Since(start).Milliseconds()
	a.StatusCode = code
	ok := err == nil && code >= 200 && code <= 299
	switch {
	case ok:
		del.Status, a.Outcome = store.DeliveryDelivered, "success"
	case err != nil:
		a.Outcome, a.Error = errorOutcome(ep.URL, err)
	default:
		a.Outcome, a.Error = "http_error", "the endpoint answered with HTTP status "+strconv.Itoa(code)
	}
	if !ok {
		if del.Attempts >= o.MaxAttempts {
			del.Status = store.DeliveryFailed
		} else {
			del.NextAttemptAt = now.Add(jittered(retryDelay(del.Attempts), d.Rand))
		}
	}
	if ok && ep.FailureStreak == 0 {
		// The common case: the endpoint had no failure streak when this
		// step loaded it, so there is nothing to reset and no row to lock.
		return a, nil
	}
	// The attempt was made: its outcome is stored even when Seam starts
	// stopping now. With ctx the write could fail on the cancellation and
	// leave the delivery under this step's lease, so that it (and, by the
	// per-object order, every later event of its object) waited out the
	// lease after the restart.
	return nil, d.finish(context.WithoutCancel(ctx), o, del, a, !ok)
}

// errorOutcome types a request that got no HTTP answer, in words safe to
// show the project (the outbound package's messages name the host only).
func errorOutcome(rawURL string, err error) (string, string) {
	host := ""
	if u, perr := url.Parse(rawURL); perr == nil {
		host = u.Hostname()
	}
	oe := outbound.AsError(host, err)
	switch oe.Kind {
	case outbound.KindRefusedAddress, outbound.KindRefusedRedirect, outbound.KindBadURL, outbound.KindTooManyRedirects:
		return "refused", oe.Error()
	}
	return "network_error", oe.Error()
}

// send POSTs the event, signed, and returns the answer's status.
func (d *Dispatcher) send(ctx context.Context, o Options, ep *store.WebhookEndpoint, ev *store.Event) (int, error) {
	keys, err := d.signingKeys(ep)
	if err != nil {
		return 0, err
	}
	ts := d.Now().Unix()
	sig := SignatureHeader(keys, ev.ID, ts, ev.Payload)
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ep.URL, bytes.NewReader(ev.Payload))
	if err != nil {
		return 0, err
	}
	stamp := strconv.FormatInt(ts, 10)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Seam-Webhooks/1")
	for _, p := range []string{"svix", "webhook"} {
		req.Header.Set(p+"-id", ev.ID)
		req.Header.Set(p+"-timestamp", stamp)
		req.Header.Set(p+"-signature", sig)
	}
	resp, err := d.Client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // lets the connection be reused
	return resp.StatusCode, nil
}

// signingKeys are the endpoint's current key and, during a rotation's
// overlap, the previous one.
func (d *Dispatcher) signingKeys(ep *store.WebhookEndpoint) ([][]byte, error) {
	cur, err := d.openKey(ep, ep.SecretSealed)
	if err != nil {
		return nil, err
	}
	out := [][]byte{cur}
	if ep.PreviousSealed != "" && d.Now().Before(ep.PreviousExpiresAt) {
		prev, err := d.openKey(ep, ep.PreviousSealed)
		if err != nil {
			return nil, err
		}
		out = append(out, prev)
	}
	return out, nil
}

func (d *Dispatcher) openKey(ep *store.WebhookEndpoint, sealed string) ([]byte, error) {
	secret, err := d.Sealer.Open(sealed, sealAAD(ep.ID))
	if err != nil {
		return nil, errors.New("webhooks: the endpoint's signing secret does not open under the master key")
	}
	return secretKey(string(secret))
}

// finish stores a delivery's outcome; a failure (or a success after
// failures) updates the endpoint's failure streak under its row lock, and
// disables it after the documented streak.
func (d *Dispatcher) finish(ctx context.Context, o Options, del *store.WebhookDelivery, a *store.WebhookAttempt, failed bool) error {
	if a.Outcome == "gone" || a.Outcome == "endpoint_disabled" {
		return d.Store.FinishWebhookDelivery(ctx, del, a)
	}
	return d.Store.Tx(ctx, func(q store.Queries) error {
		// The endpoint's row lock first: the attempt's insert takes a key
		// share on it (foreign key), and two finishes that took those
		// shares before asking for the lock would deadlock.
		ep, err := q.GetWebhookEndpointForUpdate(ctx, del.ProjectID, del.EndpointID)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if !ep.Enabled && del.Status == store.DeliveryPending {
			del.Status = store.DeliveryFailed // disabled while this attempt ran
		}
		if err := q.FinishWebhookDelivery(ctx, del, a); err != nil {
			return err
		}
		now := d.Now()
		switch {
		case !failed && ep.FailureStreak == 0:
			return nil // the common case writes nothing more
		case !failed:
			ep.FailureStreak, ep.FailingSince = 0, time.Time{}
		default:
			if ep.FailureStreak == 0 {
				ep.FailingSince = now
			}
			ep.FailureStreak++
			if ep.Enabled && ep.FailureStreak >= o.DisableMinFailures && now.Sub(ep.FailingSince) >= o.DisableAfter {
				ep.Enabled = false
				ep.DisabledReason = "disabled after " + strconv.Itoa(ep.FailureStreak) + " failed attempts in a row since " +
					ep.FailingSince.UTC().Format(time.RFC3339)
				d.Log.Warn("webhook endpoint disabled after repeated failures", slog.String("endpoint_id", ep.ID),
					slog.String("project_id", ep.ProjectID), slog.Int("failures", ep.FailureStreak))
				// A disabled endpoint gets nothing more; what it missed is
				// replayed after it is enabled again.
				if _, err := q.FailPendingDeliveries(ctx, ep.ID, now); err != nil {
					return err
				}
				ep.UpdatedAt = now
				// Recorded as Seam's own doing (the system actor).
				if err := d.Events.Record(context.WithoutCancel(ctx), q, events.Change{ProjectID: ep.ProjectID,
					ObjectType: events.ObjectWebhookEndpoint, ObjectID: ep.ID, Action: events.Update, Object: View(ep)}); err != nil {
					return err
				}
			}
		}
		ep.UpdatedAt = now
		return q.UpdateWebhookEndpoint(ctx, ep)
	})
}
