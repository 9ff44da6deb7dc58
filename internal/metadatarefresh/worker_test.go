package metadatarefresh_test

import (
	"context"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seamsso/seam/internal/apptest"
	"github.com/seamsso/seam/internal/config"
	"github.com/seamsso/seam/internal/saml/samltest"
)

const entityID = "https://idp.rollover.example/metadata"

// idp is a local IdP: it serves its metadata over TLS (what it publishes
// can be changed between refreshes) and signs SAML responses with its
// current key.
type idp struct {
	srv  *httptest.Server
	ca   string
	hits atomic.Int64

	mu       sync.Mutex
	entityID string
	publish  []*samltest.Key
	status   int // non-zero: answer the metadata URL with this status
	signer   *samltest.IdP
}

func newIdP(t *testing.T) *idp {
	t.Helper()
	i := &idp{entityID: entityID}
	i.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i.hits.Add(1)
		i.mu.Lock()
		defer i.mu.Unlock()
		if i.status != 0 {
			w.WriteHeader(i.status)
			return
		}
		var kd strings.Builder
		for _, k := range i.publish {
			fmt.Fprintf(&kd, `<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>%s</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`,
				base64.StdEncoding.EncodeToString(k.Certificate.Raw))
		}
		fmt.Fprintf(w, `<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="%s">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">%s
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.rollover.example/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>`, i.entityID, kd.String())
	}))
	t.Cleanup(i.srv.Close)
	i.ca = filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(i.ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: i.srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	return i
}

func (i *idp) allow() apptest.Option {
	return func(c *config.Config) {
		c.OutboundAllow = strings.TrimPrefix(i.srv.URL, "https://")
		c.OutboundCAFile = i.ca
	}
}

func (i *idp) set(fn func(i *idp)) {
	i.mu.Lock()
	defer i.mu.Unlock()
	fn(i)
}

func key(t *testing.T, name string, lifetime time.Duration) *samltest.Key {
	t.Helper()
	k, err := samltest.NewRSAKey(2048, name, time.Now().Add(-time.Hour), time.Now().Add(lifetime))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// connection is a SAML connection configured from the IdP's metadata URL.
type connection struct {
	e      *apptest.Env
	i      *idp
	id     string
	acs    string
	path   string
	logins int
}

func newConnection(t *testing.T, e *apptest.Env, i *idp, slug string) *connection {
	t.Helper()
	e.CreateOrg("Org "+slug, slug)
	c := e.MustOK(e.Call("POST", "/v1/b2b/sso/saml/"+slug, map[string]any{"display_name": "IdP"})).Obj("connection")
	conn := &connection{e: e, i: i, id: c["connection_id"].(string), acs: c["acs_url"].(string)}
	conn.path = "/v1/b2b/sso/saml/" + slug + "/connections/" + conn.id
	e.MustOK(e.Call("PUT", conn.path+"/url", map[string]any{"metadata_url": i.srv.URL + "/metadata"}))
	e.MustOK(e.Call("PUT", conn.path, map[string]any{"attribute_mapping": map[string]any{"email": "mail", "full_name": "name"}}))
	return conn
}

// login runs an SP-initiated login signed by the IdP's current key and
// reports whether Seam issued an SSO token.
func (c *connection) login(t *testing.T) (bool, string) {
	t.Helper()
	c.logins++
	b := c.e.Browser()
	resp, err := b.Get(c.e.URL + "/v1/public/sso/start?connection_id=" + c.id + "&public_token=" + c.e.Creds.PublicToken)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	reqID := ""
	for _, ck := range resp.Cookies() {
		if strings.HasPrefix(ck.Name, "seam_sso_") {
			reqID = strings.TrimPrefix(ck.Name, "seam_sso_")
		}
	}
	if resp.StatusCode != http.StatusFound || reqID == "" {
		t.Fatalf("start: %d", resp.StatusCode)
	}
	c.i.mu.Lock()
	signer := c.i.signer
	c.i.mu.Unlock()
	email := fmt.Sprintf("user%d@rollover.example", c.logins)
	doc, err := signer.Make(samltest.Options{
		ResponseOptions: samltest.ResponseOptions{
			Now: c.e.Clock.Now(), InResponseTo: reqID, Destination: c.acs, Audiences: []string{c.acs}, NameID: email,
			Attributes: []samltest.Attribute{{Name: "mail", Values: []string{email}}, {Name: "name", Values: []string{"Roll Over"}}},
		},
		SignAssertion: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	enc, err := samltest.Encode(doc)
	if err != nil {
		t.Fatal(err)
	}
	acs, _ := url.Parse(c.acs)
	resp, err = b.PostForm(c.e.URL+acs.Path, url.Values{"SAMLResponse": {enc}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	return resp.StatusCode == http.StatusFound && loc != nil && loc.Query().Get("token") != "", string(body)
}

func (c *connection) mustLogin(t *testing.T, when string) {
	t.Helper()
	if ok, body := c.login(t); !ok {
		t.Fatalf("%s: login failed: %s", when, body)
	}
}

func (c *connection) verificationCerts(t *testing.T) []string {
	t.Helper()
	conns := c.e.MustOK(c.e.Call("GET", "/v1/b2b/sso/"+strings.Split(c.path, "/")[5], nil)).Body["saml_connections"].([]any)
	var out []string
	for _, x := range conns {
		m := x.(map[string]any)
		if m["connection_id"] != c.id {
			continue
		}
		for _, v := range m["verification_certificates"].([]any) {
			out = append(out, v.(map[string]any)["certificate_id"].(string))
		}
	}
	return out
}

func (c *connection) lifecycle(t *testing.T) *apptest.Response {
	t.Helper()
	return c.e.MustOK(c.e.Call("GET", c.path+"/metadata_refreshes", nil))
}

// lastRefresh is the newest refresh record.
func (c *connection) lastRefresh(t *testing.T) map[string]any {
	t.Helper()
	rs := c.lifecycle(t).Body["refreshes"].([]any)
	if len(rs) == 0 {
		t.Fatal("no refresh recorded")
	}
	return rs[0].(map[string]any)
}

func runOnce(t *testing.T, e *apptest.Env, want int) {
	t.Helper()
	n, err := e.App.MetadataRefresh.RunOnce(context.Background())
	if err != nil || n != want {
		t.Fatalf("RunOnce = %d, %v; want %d", n, err, want)
	}
}

func TestScheduledRefreshRollsCertificatesOver(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		i := newIdP(t)
		old, next := key(t, "old", 10*24*time.Hour), key(t, "next", 365*24*time.Hour)
		i.set(func(i *idp) { i.publish, i.signer = []*samltest.Key{old}, &samltest.IdP{EntityID: entityID, Key: old} })
		e := apptest.New(t, backend, i.allow())
		c := newConnection(t, e, i, "acme")
		c.mustLogin(t, "before any refresh")
		lc := c.lifecycle(t)
		if lc.Str("metadata_url") != i.srv.URL+"/metadata" || lc.Str("next_refresh_at") == "" || len(lc.Body["refreshes"].([]any)) != 0 {
			t.Fatalf("lifecycle after configuring = %s", lc.Raw)
		}
		// Not due yet: nothing is fetched.
		hits := i.hits.Load()
		runOnce(t, e, 0)
		if i.hits.Load() != hits {
			t.Fatal("a refresh ran before it was due")
		}

		// Day 1: the IdP publishes its next certificate beside the old one.
		i.set(func(i *idp) { i.publish = []*samltest.Key{old, next} })
		e.Clock.Advance(24*time.Hour + time.Minute)
		runOnce(t, e, 1)
		r := c.lastRefresh(t)
		if r["outcome"] != "updated" || len(r["added_certificate_ids"].([]any)) != 1 || len(r["removed_certificate_ids"].([]any)) != 0 {
			t.Fatalf("rollover refresh = %v", r)
		}
		if got := c.verificationCerts(t); len(got) != 2 {
			t.Fatalf("verification certificates after the rollover = %v", got)
		}
		c.mustLogin(t, "old key, both trusted")
		// The IdP switches to the new key; logins keep working.
		i.set(func(i *idp) { i.signer = &samltest.IdP{EntityID: entityID, Key: next} })
		c.mustLogin(t, "new key, both trusted")

		// An unchanged document changes nothing.
		e.Clock.Advance(24*time.Hour + time.Minute)
		runOnce(t, e, 1)
		if r := c.lastRefresh(t); r["outcome"] != "unchanged" {
			t.Fatalf("second refresh = %v", r)
		}

		// Day 12: the old certificate has expired; the API lists it, and the
		// next refresh drops it (a valid one is present), even though the
		// IdP still publishes it.
		e.Clock.Advance(10 * 24 * time.Hour)
		exp := c.lifecycle(t).Body["expiring_certificates"].([]any)
		if len(exp) != 1 || exp[0].(map[string]any)["expired"] != true {
			t.Fatalf("expiring certificates = %v", exp)
		}
		c.mustLogin(t, "old certificate expired, new key signs")
		runOnce(t, e, 1)
		r = c.lastRefresh(t)
		if r["outcome"] != "updated" || len(r["removed_certificate_ids"].([]any)) != 1 || len(r["added_certificate_ids"].([]any)) != 0 {
			t.Fatalf("expiry refresh = %v", r)
		}
		before := c.verificationCerts(t)
		if len(before) != 1 || len(c.lifecycle(t).Body["expiring_certificates"].([]any)) != 0 {
			t.Fatalf("after dropping the expired certificate: %v", before)
		}
		c.mustLogin(t, "after the old certificate was dropped")

		// Suspicious and failed refreshes change nothing and are recorded.
		for _, tc := range []struct {
			name, outcome, errorType string
			idp                      func(i *idp)
		}{
			{"another entity ID", "refused", "saml_metadata_entity_id_changed", func(i *idp) { i.entityID = "https://attacker.example/idp" }},
			{"no valid certificate", "refused", "saml_metadata_no_valid_certificate", func(i *idp) { i.entityID, i.publish = entityID, []*samltest.Key{old} }},
			{"IdP down", "failed", "saml_metadata_url_http_error", func(i *idp) { i.status = http.StatusServiceUnavailable }},
		} {
			i.set(tc.idp)
			e.Clock.Advance(24*time.Hour + time.Minute)
			runOnce(t, e, 1)
			r := c.lastRefresh(t)
			if r["outcome"] != tc.outcome || r["error_type"] != tc.errorType || r["message"] == "" {
				t.Fatalf("%s: refresh = %v", tc.name, r)
			}
			if got := c.verificationCerts(t); len(got) != 1 || got[0] != before[0] {
				t.Fatalf("%s: certificates changed to %v", tc.name, got)
			}
			c.mustLogin(t, tc.name)
		}
		// A failure is retried within the hour, not a day later.
		nextAt, err := time.Parse(time.RFC3339Nano, c.lifecycle(t).Str("next_refresh_at"))
		if err != nil || nextAt.Sub(e.Clock.Now()) > time.Hour+time.Minute {
			t.Fatalf("next refresh after a failure at %v (now %v), %v", nextAt, e.Clock.Now(), err)
		}

		// The refresh-now endpoint applies the same rules.
		i.set(func(i *idp) { i.status, i.publish = 0, []*samltest.Key{next} })
		r = e.MustOK(e.Call("POST", c.path+"/metadata_refreshes", nil)).Obj("refresh")
		if r["outcome"] != "unchanged" {
			t.Fatalf("refresh now = %v", r)
		}

		metrics := e.MustOK(e.Do(apptest.Request{Method: "GET", Path: "/metrics", NoAuth: true})).Raw
		for _, want := range []string{
			`seam_saml_metadata_refreshes_total{error_type="",outcome="updated"} 2`,
			`seam_saml_metadata_refreshes_total{error_type="",outcome="unchanged"} 2`,
			`seam_saml_metadata_refreshes_total{error_type="saml_metadata_entity_id_changed",outcome="refused"} 1`,
			`seam_saml_metadata_refreshes_total{error_type="saml_metadata_url_http_error",outcome="failed"} 1`,
			// Every fetch went through the guarded client: the update by URL
			// and seven refreshes, one of them answered 503.
			`seam_outbound_requests_total{purpose="saml_metadata",result="ok"} 7`,
			`seam_outbound_requests_total{purpose="saml_metadata",result="http_status"} 1`,
			`seam_outbound_request_duration_seconds_count{purpose="saml_metadata"} 8`,
		} {
			if !strings.Contains(string(metrics), want) {
				t.Errorf("/metrics lacks %s", want)
			}
		}
	})
}

func TestCertificateExpiryMetrics(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		i := newIdP(t)
		soon := key(t, "soon", 20*24*time.Hour)
		i.set(func(i *idp) { i.publish = []*samltest.Key{soon} })
		e := apptest.New(t, backend, i.allow())
		c := newConnection(t, e, i, "acme")
		i.set(func(i *idp) { i.publish = []*samltest.Key{key(t, "later", 365*24*time.Hour)} })
		newConnection(t, e, i, "beta")
		if err := e.App.MetadataRefresh.ScanExpiry(context.Background()); err != nil {
			t.Fatal(err)
		}
		metrics := string(e.MustOK(e.Do(apptest.Request{Method: "GET", Path: "/metrics", NoAuth: true})).Raw)
		want := fmt.Sprintf(`seam_saml_verification_certificate_latest_expiry_timestamp_seconds{connection_id="%s",project_id="%s"} %s`,
			c.id, e.Creds.ProjectID, strconv.FormatFloat(float64(soon.Certificate.NotAfter.Unix()), 'g', -1, 64))
		if !strings.Contains(metrics, "seam_saml_verification_certificates_expiring 1") || !strings.Contains(metrics, want) {
			t.Errorf("metrics lack the expiring certificate:\n%s", grep(metrics, "seam_saml_verification"))
		}
		if strings.Count(metrics, "seam_saml_verification_certificate_latest_expiry_timestamp_seconds{") != 1 {
			t.Errorf("only the connection with an expiring certificate gets a series:\n%s", grep(metrics, "seam_saml_verification"))
		}
	})
}

func grep(text, word string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, word) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// Replicas running the worker at the same instant fetch each due URL once.
func TestReplicasDoNotDoubleRefresh(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		i := newIdP(t)
		k := key(t, "k", 365*24*time.Hour)
		i.set(func(i *idp) { i.publish = []*samltest.Key{k} })
		e := apptest.New(t, backend, i.allow())
		const conns, replicas = 12, 4
		for n := range conns {
			newConnection(t, e, i, fmt.Sprintf("org-%d", n))
		}
		e.Clock.Advance(24*time.Hour + time.Minute)
		start := i.hits.Load()
		var wg sync.WaitGroup
		var total atomic.Int64
		for range replicas {
			w := *e.App.MetadataRefresh // its own worker, sharing only the database
			w.Batch = 2
			wg.Add(1)
			go func() {
				defer wg.Done()
				n, err := w.RunOnce(context.Background())
				if err != nil {
					t.Error(err)
				}
				total.Add(int64(n))
			}()
		}
		wg.Wait()
		if got := i.hits.Load() - start; got != conns || total.Load() != conns {
			t.Fatalf("%d fetches and %d refreshes for %d due connections", got, total.Load(), conns)
		}
	})
}
