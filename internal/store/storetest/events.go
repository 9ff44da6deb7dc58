package storetest

import (
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/seamsso/seam/internal/store"
)

func eventCases() []testCase {
	return []testCase{
		{"EventRoundTripAndFilters", testEventRoundTripAndFilters},
		{"EventFanOutClaimsEachEventOnce", testEventFanOutClaimsOnce},
		{"WebhookEndpointRoundTrip", testWebhookEndpointRoundTrip},
		{"WebhookDeliveryClaimOrderAndLease", testWebhookDeliveryClaim},
		{"WebhookConcurrentClaimsNeverShare", testWebhookConcurrentClaims},
		{"EventPurgeTakesDeliveries", testEventPurge},
		{"EventPurgeWalksFromTheOldest", testEventPurgeRounds},
		{"EventsQueuedOnlyWithAnEnabledEndpoint", testEventQueuedOnlyWithEndpoint},
		{"WriteCarriesItsEventAtomically", testWriteCarriesEvent},
	}
}

func (f *fixtures) event(projectID, orgID, objectID, typ string, at time.Time) *store.Event {
	f.t.Helper()
	e := f.newEvent(projectID, orgID, objectID, typ, at)
	if err := f.s.InsertEvent(ctx(), e); err != nil {
		f.t.Fatalf("insert event: %v", err)
	}
	return e
}

// newEvent is an event not yet written.
func (f *fixtures) newEvent(projectID, orgID, objectID, typ string, at time.Time) *store.Event {
	return &store.Event{ID: f.id("webhook-event"), ProjectID: projectID, OrganizationID: orgID, ObjectType: "member",
		ObjectID: objectID, Action: "UPDATE", Source: "DIRECT", Type: typ, ActorType: "api_key", ActorID: projectID,
		Payload: json.RawMessage(`{"id":"` + objectID + `"}`), CreatedAt: at}
}

func (f *fixtures) endpoint(projectID string, types ...string) *store.WebhookEndpoint {
	f.t.Helper()
	e := &store.WebhookEndpoint{ID: f.id("webhook-endpoint"), ProjectID: projectID, URL: "https://hooks.example/x",
		EventTypes: types, Enabled: true, SecretSealed: "sealed", CreatedAt: base, UpdatedAt: base}
	if err := f.s.CreateWebhookEndpoint(ctx(), e); err != nil {
		f.t.Fatalf("create endpoint: %v", err)
	}
	return e
}

func testEventRoundTripAndFilters(t *testing.T, s store.Store) {
	f := newFixtures(t, s)
	p, other := f.project(), f.project()
	a := f.event(p.ID, "org-a", "m1", "direct.member.update", base)
	b := f.event(p.ID, "org-b", "m2", "scim.member.update", base.Add(time.Minute))
	c := f.event(p.ID, "org-a", "m1", "direct.member.update", base.Add(2*time.Minute))
	f.event(other.ID, "org-a", "m1", "direct.member.update", base)
	if !(a.Seq < b.Seq && b.Seq < c.Seq) {
		t.Fatalf("seqs %d %d %d not increasing", a.Seq, b.Seq, c.Seq)
	}
	got, err := s.GetEvent(ctx(), p.ID, a.ID)
	if err != nil || got.Type != a.Type || got.ActorID != p.ID || got.Seq != a.Seq {
		t.Fatalf("get = %+v, %v", got, err)
	}
	sameJSON(t, "payload", got.Payload, a.Payload)
	wantTime(t, "created_at", got.CreatedAt, base)
	if _, err := s.GetEvent(ctx(), other.ID, a.ID); err != store.ErrNotFound {
		t.Errorf("another project's event: %v", err)
	}
	for _, c := range []struct {
		name string
		f    store.EventFilter
		want int
	}{
		{"all", store.EventFilter{}, 3},
		{"object", store.EventFilter{ObjectID: "m1"}, 2},
		{"organization", store.EventFilter{OrganizationID: "org-b"}, 1},
		{"type", store.EventFilter{Type: "scim.member.update"}, 1},
		{"since", store.EventFilter{Since: base.Add(time.Minute)}, 2},
		{"until", store.EventFilter{Until: base.Add(time.Minute)}, 1},
		{"after", store.EventFilter{AfterSeq: a.Seq}, 2},
		{"limit", store.EventFilter{Limit: 1}, 1},
	} {
		c.f.ProjectID = p.ID
		if c.f.Limit == 0 {
			c.f.Limit = 100
		}
		evs, err := s.ListEvents(ctx(), c.f)
		if err != nil || len(evs) != c.want {
			t.Errorf("%s: %d events, %v; want %d", c.name, len(evs), err, c.want)
		}
	}
	byID, err := s.EventsByID(ctx(), []string{a.ID, c.ID})
	if err != nil || len(byID) != 2 {
		t.Errorf("by ID: %d, %v", len(byID), err)
	}
}

// testEventFanOutClaimsOnce: concurrent fan-out transactions never take
// the same event, and a marked event is not claimed again.
func testEventFanOutClaimsOnce(t *testing.T, s store.Store) {
	f := newFixtures(t, s)
	p := f.project()
	f.endpoint(p.ID) // events are queued for fan-out only where an endpoint can take them
	for i := range 20 {
		f.event(p.ID, "", f.id("member"), "direct.member.update", base.Add(time.Duration(i)*time.Second))
	}
	var mu sync.Mutex
	seen := map[int64]int{}
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				var got []*store.Event
				err := s.Tx(ctx(), func(q store.Queries) error {
					var err error
					if got, err = q.ClaimUnfannedEvents(ctx(), 3); err != nil || len(got) == 0 {
						return err
					}
					seqs := make([]int64, len(got))
					for i, e := range got {
						seqs[i] = e.Seq
					}
					return q.MarkEventsFannedOut(ctx(), seqs)
				})
				if err != nil {
					t.Error(err)
					return
				}
				if len(got) == 0 {
					return
				}
				mu.Lock()
				for _, e := range got {
					seen[e.Seq]++
					// What fan-out reads of a claimed event.
					if e.ID == "" || e.ProjectID != p.ID || e.ObjectID == "" || e.Type != "direct.member.update" || e.CreatedAt.Before(base.Truncate(time.Second)) {
						t.Errorf("claimed event %+v lacks a fan-out field", e)
					}
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(seen) != 20 {
		t.Errorf("%d events fanned out, want 20", len(seen))
	}
	for seq, n := range seen {
		if n != 1 {
			t.Errorf("event %d fanned out %d times", seq, n)
		}
	}
}

func testWebhookEndpointRoundTrip(t *testing.T, s store.Store) {
	f := newFixtures(t, s)
	p := f.project()
	e := f.endpoint(p.ID, "direct.member.update")
	got, err := s.GetWebhookEndpoint(ctx(), p.ID, e.ID)
	if err != nil || got.URL != e.URL || len(got.EventTypes) != 1 || !got.Enabled || !got.PreviousExpiresAt.IsZero() {
		t.Fatalf("get = %+v, %v", got, err)
	}
	got.Enabled, got.FailureStreak, got.FailingSince = false, 3, base
	got.PreviousSealed, got.PreviousExpiresAt = "old", base.Add(time.Hour)
	if err := s.UpdateWebhookEndpoint(ctx(), got); err != nil {
		t.Fatal(err)
	}
	again, _ := s.GetWebhookEndpoint(ctx(), p.ID, e.ID)
	if again.Enabled || again.FailureStreak != 3 || again.PreviousSealed != "old" {
		t.Errorf("after update: %+v", again)
	}
	wantTime(t, "previous_expires_at", again.PreviousExpiresAt, base.Add(time.Hour))
	f.endpoint(p.ID)
	if on, _ := s.EnabledWebhookEndpoints(ctx(), []string{p.ID}); len(on) != 1 {
		t.Errorf("enabled endpoints: %d", len(on))
	}
	if err := s.DeleteWebhookEndpoint(ctx(), p.ID, e.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetWebhookEndpoint(ctx(), p.ID, e.ID); err != store.ErrNotFound {
		t.Errorf("after delete: %v", err)
	}
}

func (f *fixtures) delivery(ep *store.WebhookEndpoint, ev *store.Event, due time.Time) *store.WebhookDelivery {
	d := &store.WebhookDelivery{ID: f.id("webhook-delivery"), ProjectID: ep.ProjectID, EndpointID: ep.ID, EventID: ev.ID,
		EventSeq: ev.Seq, ObjectID: ev.ObjectID, Status: store.DeliveryPending, NextAttemptAt: due, LockedUntil: base,
		CreatedAt: base, UpdatedAt: base}
	return d
}

// testWebhookDeliveryClaim: only due, unleased deliveries are claimed; a
// later event of an object waits for the earlier one; a lease hides a
// claimed delivery until it ends.
func testWebhookDeliveryClaim(t *testing.T, s store.Store) {
	f := newFixtures(t, s)
	p := f.project()
	ep := f.endpoint(p.ID)
	e1 := f.event(p.ID, "", "obj-1", "direct.member.update", base)
	e2 := f.event(p.ID, "", "obj-1", "direct.member.update", base)
	e3 := f.event(p.ID, "", "obj-2", "direct.member.update", base)
	e4 := f.event(p.ID, "", "obj-3", "direct.member.update", base)
	d1, d2, d3, d4 := f.delivery(ep, e1, base), f.delivery(ep, e2, base), f.delivery(ep, e3, base), f.delivery(ep, e4, base.Add(time.Hour))
	if err := s.CreateWebhookDeliveries(ctx(), []*store.WebhookDelivery{d1, d2, d3, d4}); err != nil {
		t.Fatal(err)
	}
	now := base.Add(time.Second)
	got, err := s.ClaimWebhookDeliveries(ctx(), now, now.Add(time.Minute), 10)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, d := range got {
		ids[d.ID] = true
	}
	if len(got) != 2 || !ids[d1.ID] || !ids[d3.ID] {
		t.Fatalf("claimed %v, want the first delivery of each due object", ids)
	}
	if again, _ := s.ClaimWebhookDeliveries(ctx(), now, now.Add(time.Minute), 10); len(again) != 0 {
		t.Fatalf("leased deliveries claimed again: %d", len(again))
	}
	// d1 delivered: d2 becomes claimable.
	d1.Status, d1.Attempts, d1.LockedUntil, d1.UpdatedAt = store.DeliveryDelivered, 1, now, now
	a := &store.WebhookAttempt{ID: f.id("webhook-attempt"), ProjectID: p.ID, EndpointID: ep.ID, DeliveryID: d1.ID, EventID: e1.ID,
		Attempt: 1, Outcome: "success", StatusCode: 204, LatencyMS: 3, CreatedAt: now}
	if err := s.FinishWebhookDelivery(ctx(), d1, a); err != nil {
		t.Fatal(err)
	}
	got, _ = s.ClaimWebhookDeliveries(ctx(), now, now.Add(time.Minute), 10)
	if len(got) != 1 || got[0].ID != d2.ID {
		t.Fatalf("after the first delivered: %v", got)
	}
	// The lease of d3 ends: claimable again.
	later := now.Add(2 * time.Minute)
	got, _ = s.ClaimWebhookDeliveries(ctx(), later, later.Add(time.Minute), 10)
	if len(got) != 2 { // d2 and d3, leases over; d4 not due
		t.Fatalf("after the leases: %d", len(got))
	}
	as, err := s.ListWebhookAttempts(ctx(), p.ID, ep.ID, 10)
	if err != nil || len(as) != 1 || as[0].StatusCode != 204 || as[0].Outcome != "success" {
		t.Errorf("attempts %+v, %v", as, err)
	}
	// d2 delivered in a batch: its attempt stored, d3 and d4 left pending.
	batch := []*store.WebhookAttempt{{ID: f.id("webhook-attempt"), ProjectID: p.ID, EndpointID: ep.ID, DeliveryID: d2.ID,
		EventID: e2.ID, Attempt: 1, Outcome: "success", StatusCode: 200, LatencyMS: 1, CreatedAt: later}}
	if err := s.DeliveredWebhookDeliveries(ctx(), batch, later); err != nil {
		t.Fatal(err)
	}
	if as, _ := s.ListWebhookAttempts(ctx(), p.ID, ep.ID, 10); len(as) != 2 {
		t.Errorf("%d attempts after the batch", len(as))
	}
	if n, err := s.FailPendingDeliveries(ctx(), ep.ID, later); err != nil || n != 2 {
		t.Errorf("failed %d pending, %v", n, err)
	}
}

// testWebhookConcurrentClaims: claims racing from several goroutines (as
// replicas do) never return the same delivery twice.
func testWebhookConcurrentClaims(t *testing.T, s store.Store) {
	f := newFixtures(t, s)
	p := f.project()
	ep := f.endpoint(p.ID)
	var ds []*store.WebhookDelivery
	for range 60 {
		ds = append(ds, f.delivery(ep, f.event(p.ID, "", f.id("obj"), "direct.member.update", base), base))
	}
	if err := s.CreateWebhookDeliveries(ctx(), ds); err != nil {
		t.Fatal(err)
	}
	now := base.Add(time.Second)
	var mu sync.Mutex
	seen := map[string]int{}
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				got, err := s.ClaimWebhookDeliveries(ctx(), now, now.Add(time.Hour), 7)
				if err != nil {
					t.Error(err)
					return
				}
				if len(got) == 0 {
					return
				}
				mu.Lock()
				for _, d := range got {
					seen[d.ID]++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(seen) != 60 {
		t.Errorf("%d of 60 claimed", len(seen))
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("%s claimed %d times", id, n)
		}
	}
}

func testEventPurge(t *testing.T, s store.Store) {
	f := newFixtures(t, s)
	p := f.project()
	ep := f.endpoint(p.ID)
	old := f.event(p.ID, "", "o", "direct.member.update", base)
	keep := f.event(p.ID, "", "o", "direct.member.update", base.Add(48*time.Hour))
	if err := s.CreateWebhookDeliveries(ctx(), []*store.WebhookDelivery{f.delivery(ep, old, base), f.delivery(ep, keep, base)}); err != nil {
		t.Fatal(err)
	}
	n, err := s.PurgeEvents(ctx(), base.Add(24*time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("purged %d, %v", n, err)
	}
	if _, err := s.GetEvent(ctx(), p.ID, old.ID); err != store.ErrNotFound {
		t.Errorf("old event: %v", err)
	}
	got, _ := s.ClaimWebhookDeliveries(ctx(), base.Add(time.Hour), base.Add(2*time.Hour), 10)
	if len(got) != 1 || got[0].EventID != keep.ID {
		t.Errorf("deliveries after purge: %v", got)
	}
}

// testEventPurgeRounds: the cleanup deletes every expired event however
// many rounds of the oldest it takes, keeps the others, and takes expired
// events out of the fan-out queue.
func testEventPurgeRounds(t *testing.T, s store.Store) {
	f := newFixtures(t, s)
	p := f.project()
	f.endpoint(p.ID)
	const expired = 1203 // more than one round of the cleanup
	var last *store.Event
	err := s.Tx(ctx(), func(q store.Queries) error {
		for i := range expired {
			last = f.newEvent(p.ID, "", "o", "direct.member.update", base.Add(time.Duration(i)*time.Millisecond))
			if err := q.InsertEvent(ctx(), last); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	keep := f.event(p.ID, "", "o", "direct.member.update", base.Add(48*time.Hour))
	n, err := s.PurgeEvents(ctx(), base.Add(24*time.Hour))
	if err != nil || n != expired {
		t.Fatalf("purged %d, %v; want %d", n, err, expired)
	}
	if _, err := s.GetEvent(ctx(), p.ID, last.ID); err != store.ErrNotFound {
		t.Errorf("the newest expired event: %v", err)
	}
	if _, err := s.GetEvent(ctx(), p.ID, keep.ID); err != nil {
		t.Errorf("the kept event: %v", err)
	}
	queued, err := s.ClaimUnfannedEvents(ctx(), 10)
	if err != nil || len(queued) != 1 || queued[0].ID != keep.ID {
		t.Errorf("queued after the cleanup: %v, %v", queued, err)
	}
	if n, err := s.PurgeEvents(ctx(), base.Add(24*time.Hour)); err != nil || n != 0 {
		t.Errorf("a second cleanup purged %d, %v", n, err)
	}
}

// testEventQueuedOnlyWithEndpoint: an event waits for fan-out only when its
// project has an enabled endpoint when it is written; a project without one
// (or with a disabled one) writes the event alone.
func testEventQueuedOnlyWithEndpoint(t *testing.T, s store.Store) {
	f := newFixtures(t, s)
	p, other := f.project(), f.project()
	f.event(p.ID, "", "o", "direct.member.update", base)
	ep := f.endpoint(other.ID)
	ep.Enabled = false
	if err := s.UpdateWebhookEndpoint(ctx(), ep); err != nil {
		t.Fatal(err)
	}
	f.event(other.ID, "", "o", "direct.member.update", base)
	if got, err := s.ClaimUnfannedEvents(ctx(), 10); err != nil || len(got) != 0 {
		t.Fatalf("queued without an enabled endpoint: %v, %v", got, err)
	}
	f.endpoint(p.ID)
	want := f.event(p.ID, "", "o", "direct.member.update", base)
	f.event(other.ID, "", "o", "direct.member.update", base)
	got, err := s.ClaimUnfannedEvents(ctx(), 10)
	if err != nil || len(got) != 1 || got[0].ID != want.ID {
		t.Fatalf("queued: %v, %v; want only %s", got, err, want.ID)
	}
}
