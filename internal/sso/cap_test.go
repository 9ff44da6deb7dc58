package sso_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/ids"
	"github.com/seamsso/seam/internal/keys"
	"github.com/seamsso/seam/internal/opt"
	"github.com/seamsso/seam/internal/rbac"
	"github.com/seamsso/seam/internal/sso"
	"github.com/seamsso/seam/internal/store"
	"github.com/seamsso/seam/internal/testdb"
)

// TestConnectionCapHoldsUnderConcurrency: an organization 5 connections
// short of the cap receives 20 concurrent creates of every kind; exactly 5
// succeed, the others answer too_many_sso_connections, and the
// organization ends with exactly the cap. On both stores.
func TestConnectionCapHoldsUnderConcurrency(t *testing.T) {
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			st := testdb.Open(t, backend)
			ctx := context.Background()
			now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
			idg := ids.Generator{Rand: rand.Reader}
			sealer, err := keys.NewSealer(bytes.Repeat([]byte{7}, keys.MasterKeySize), rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			svc := &sso.Service{Store: st, Sealer: sealer, Now: func() time.Time { return now }, IDs: idg, Rand: rand.Reader,
				BaseURL: "http://seam.test", Policies: rbac.Policies{Default: rbac.DefaultPolicy()}}
			p := &store.Project{ID: idg.New(ids.Project, ids.Test), Environment: "test", Name: "p", EnvironmentSlug: "test", CreatedAt: now}
			must(t, st.CreateProject(ctx, p))
			newOrg := func(slug string) *store.Organization {
				o := &store.Organization{ProjectID: p.ID, ID: idg.New(ids.Organization, ids.Test), Name: slug, Slug: slug,
					SSOJITProvisioning: "ALL_ALLOWED", CreatedAt: now, UpdatedAt: now}
				must(t, st.CreateOrganization(ctx, o, nil))
				return o
			}
			newConn := func(o *store.Organization, status string) *store.Connection {
				c := &store.Connection{ProjectID: p.ID, OrganizationID: o.ID, ID: idg.New(ids.OIDCConnection, ids.Test), Kind: store.KindOIDC,
					Status: status, Config: json.RawMessage(`{}`), CreatedAt: now, UpdatedAt: now}
				must(t, st.CreateConnection(ctx, c))
				return c
			}
			org, other := newOrg("acme"), newOrg("other")
			const free = 5
			for i := 0; i < sso.MaxConnectionsPerOrganization-free; i++ {
				newConn(org, "pending")
			}
			// Each External create needs its own active source.
			var sources []*store.Connection
			for i := 0; i < 4; i++ {
				sources = append(sources, newConn(other, "active"))
			}
			creates := []func() (*store.Connection, error){}
			for i := 0; i < 14; i++ {
				creates = append(creates, func() (*store.Connection, error) {
					return svc.CreateOIDC(ctx, p, org, sso.OIDCCreate{DisplayName: opt.Of(fmt.Sprint("oidc ", i))})
				})
			}
			for i := 0; i < 2; i++ {
				creates = append(creates, func() (*store.Connection, error) {
					return svc.CreateSAML(ctx, p, org, sso.SAMLCreate{})
				})
			}
			for _, src := range sources {
				creates = append(creates, func() (*store.Connection, error) {
					return svc.CreateExternal(ctx, p, org, sso.ExternalCreate{ExternalOrganizationID: other.ID, ExternalConnectionID: src.ID})
				})
			}
			var (
				wg            sync.WaitGroup
				mu            sync.Mutex
				ok, refused   int
				unexpected    []error
				startTogether = make(chan struct{})
			)
			for _, create := range creates {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-startTogether
					_, err := create()
					mu.Lock()
					defer mu.Unlock()
					switch {
					case err == nil:
						ok++
					case apierr.TypeOf(err) == "too_many_sso_connections":
						refused++
					default:
						unexpected = append(unexpected, err)
					}
				}()
			}
			close(startTogether)
			wg.Wait()
			if len(unexpected) > 0 {
				t.Fatalf("unexpected errors: %v", unexpected)
			}
			n, err := st.CountConnections(ctx, p.ID, org.ID)
			must(t, err)
			if ok != free || refused != len(creates)-free || n != sso.MaxConnectionsPerOrganization {
				t.Errorf("%d created, %d refused, %d connections; want %d, %d, %d",
					ok, refused, n, free, len(creates)-free, sso.MaxConnectionsPerOrganization)
			}
		})
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
