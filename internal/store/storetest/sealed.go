package storetest

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/seamsso/seam/internal/store"
)

func sealedCases() []testCase {
	return []testCase{
		{"SealedColumnsListAndCompareAndSwap", func(t *testing.T, s store.Store) {
			f := newFixtures(t, s)
			p := f.project()
			o := f.org(p.ID, "a")
			conns := []*store.Connection{f.conn(o, store.KindSAML, ""), f.conn(o, store.KindOIDC, ""), f.conn(o, store.KindSAML, "")}
			for i := range 2 {
				if err := s.CreateSessionSigningKey(ctx(), &store.SessionSigningKey{ProjectID: p.ID, KID: f.id("jwk"),
					Generation: i + 1, SealedPrivateKey: "v1.key" + string(rune('a'+i)), CreatedAt: base}); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.CreateTestIdPKeys(ctx(), &store.TestIdPKeys{ProjectID: p.ID, KID: "k", SealedPrivateKey: "v1.pk",
				Certificate: "cert", SealedClientSecret: "v1.cs", CreatedAt: base}); err != nil {
				t.Fatal(err)
			}
			saml := &store.SSORequest{ID: "req-saml", ProjectID: p.ID, ConnectionID: conns[0].ID, OrganizationID: o.ID,
				CreatedAt: base, ExpiresAt: base.Add(time.Hour)}
			oidc := *saml
			oidc.ID, oidc.ConnectionID, oidc.Secrets = "req-oidc", conns[1].ID, "v1.secrets"
			for _, r := range []*store.SSORequest{saml, &oidc} {
				if err := s.CreateSSORequest(ctx(), r); err != nil {
					t.Fatal(err)
				}
			}
			hook := f.endpoint(p.ID)
			hook.PreviousSealed, hook.PreviousExpiresAt = "v1.previous", base.Add(time.Hour)
			if err := s.UpdateWebhookEndpoint(ctx(), hook); err != nil {
				t.Fatal(err)
			}
			f.endpoint(p.ID) // no previous secret
			for _, tc := range []struct {
				col  store.SealedColumn
				want int // rows with a value (SAML requests have no secrets)
			}{
				{store.SealedConnectionConfigs, 3}, {store.SealedSessionSigningKeys, 2}, {store.SealedTestIdPKeys, 1},
				{store.SealedTestIdPSecrets, 1}, {store.SealedLoginRequests, 1},
				{store.SealedWebhookSecrets, 2}, {store.SealedWebhookPrevious, 1},
			} {
				var rows []store.SealedRow
				after := ""
				for {
					page, err := s.ListSealed(ctx(), tc.col, after, 2)
					if err != nil {
						t.Fatalf("%s: %v", tc.col, err)
					}
					if len(page) == 0 {
						break
					}
					rows = append(rows, page...)
					after = page[len(page)-1].Key
				}
				if len(rows) != tc.want {
					t.Fatalf("%s: %d rows, want %d", tc.col, len(rows), tc.want)
				}
				r := rows[0]
				if r.ProjectID != p.ID || r.Value == "" {
					t.Errorf("%s: row %+v", tc.col, r)
				}
				next := "v1.rotated"
				if tc.col == store.SealedConnectionConfigs {
					next = `{"rotated": true}`
				}
				// A stale old value does not match: nothing is written.
				if ok, err := s.ReplaceSealed(ctx(), tc.col, r.Key, r.Value+"x", next); err != nil || ok {
					t.Fatalf("%s: stale compare-and-swap = %v, %v", tc.col, ok, err)
				}
				if ok, err := s.ReplaceSealed(ctx(), tc.col, r.Key, r.Value, next); err != nil || !ok {
					t.Fatalf("%s: compare-and-swap = %v, %v", tc.col, ok, err)
				}
				again, err := s.ListSealed(ctx(), tc.col, "", 100)
				if err != nil {
					t.Fatal(err)
				}
				if tc.col == store.SealedConnectionConfigs {
					var v map[string]bool
					if err := json.Unmarshal([]byte(again[0].Value), &v); err != nil || !v["rotated"] {
						t.Errorf("%s: after the swap %q", tc.col, again[0].Value)
					}
				} else if again[0].Value != next {
					t.Errorf("%s: after the swap %q", tc.col, again[0].Value)
				}
			}
			// The swap went to the connection's config (the first in key order).
			first, _ := s.ListAllConnections(ctx(), "", "", 1)
			c, err := s.GetConnection(ctx(), p.ID, first[0].ID)
			if err != nil {
				t.Fatal(err)
			}
			sameJSON(t, "config", c.Config, json.RawMessage(`{"rotated": true}`))
		}},
	}
}
