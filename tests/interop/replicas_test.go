package interop

import (
	"net/http"
	"net/url"
	"sync"
	"testing"

	"github.com/seamsso/seam/internal/apptest"
	"github.com/seamsso/seam/internal/config"
	"github.com/seamsso/seam/internal/testdb"
)

// TestReplicas runs two Seam processes on one database behind one public
// base URL, as replicas behind a load balancer: a login started on one
// finishes on the other, the SSO token is redeemed on either, and a SAML
// response used on one is refused on the other (the replay cache is in the
// database).
func TestReplicas(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		dbURL := testdb.URL(t, backend)
		shared := func(c *config.Config) { c.DatabaseURL = dbURL }
		a := newSeam(t, shared)
		b := newSeam(t, shared, func(c *config.Config) { c.BaseURL = a.URL })
		b.Creds = a.Creds

		conn := newOrgAndSAML(t, a, "replicas")
		idp := newCrewjamIdP(t)
		conn.UpdateByURL(t, idp.URL+"/metadata")
		conn.Update(t, map[string]any{"attribute_mapping": map[string]any{"email": "mail", "full_name": "cn"}})
		idp.AddServiceProvider("seam", conn.SPMetadata(t))
		idp.AddShortcut("seam", conn.ACSURL)

		// The browser reaches replica A for start and replica B for the
		// ACS: the load balancer sends each request anywhere.
		br := NewBrowser(t)
		br.Fill = map[string]string{"user": userName, "password": userPassword}
		acs, _ := url.Parse(conn.ACSURL)
		br.Stop = func(u *url.URL) bool { return u.Path == acs.Path || u.Hostname() == "app.test" }
		p := br.Get(startURL(a, conn.ID, url.Values{"login_redirect_url": {loginURL}, "signup_redirect_url": {signupURL}}))
		if !p.Stopped {
			t.Fatalf("did not reach the ACS: %d %s", p.Status, p.URL)
		}
		post := lastACSPost(t, br)
		atB := *post
		atB.Action, _ = url.Parse(b.URL + acs.Path)
		br.Stop = func(u *url.URL) bool { return u.Hostname() == "app.test" }
		token := landing(t, br, br.Submit(&atB), signupURL)
		wantMember(t, authenticate(t, b, map[string]any{"sso_token": token}), userEmail, userFullName)

		// An IdP-initiated response used at A is refused at B.
		br = NewBrowser(t)
		idp.LogIn(br)
		br.Stop = func(u *url.URL) bool { return u.Path == acs.Path || u.Hostname() == "app.test" }
		br.Get(idp.URL + "/login/seam")
		post = lastACSPost(t, br)
		br.Stop = func(u *url.URL) bool { return u.Hostname() == "app.test" }
		landing(t, br, br.Submit(post), loginURL)
		atB = *post
		atB.Action, _ = url.Parse(b.URL + acs.Path)
		errorPage(t, br, br.Submit(&atB), http.StatusBadRequest, "duplicate_saml_response")
		wantLatestLogin(t, conn.Logins(t), "replay")

		// The same response posted to both replicas at the same instant
		// logs in exactly once: the replay record is a unique row, so one
		// insert wins whatever the timing. Several rounds, fresh responses.
		for round := 0; round < 5; round++ {
			br = NewBrowser(t)
			idp.LogIn(br)
			br.Stop = func(u *url.URL) bool { return u.Path == acs.Path || u.Hostname() == "app.test" }
			br.Get(idp.URL + "/login/seam")
			form := lastACSPost(t, br).Fields
			statuses := make([]int, 2)
			start := make(chan struct{})
			var wg sync.WaitGroup
			for i, base := range []string{a.URL, b.URL} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
					<-start
					resp, err := c.PostForm(base+acs.Path, form)
					if err != nil {
						return // statuses[i] stays 0, counted as neither
					}
					resp.Body.Close()
					statuses[i] = resp.StatusCode
				}()
			}
			close(start)
			wg.Wait()
			ok, refused := 0, 0
			for _, s := range statuses {
				switch s {
				case http.StatusFound:
					ok++
				case http.StatusBadRequest:
					refused++
				}
			}
			if ok != 1 || refused != 1 {
				t.Fatalf("round %d: one response posted to both replicas at once answered %v; want one login (302) and one replay refusal (400)", round, statuses)
			}
		}
	})
}
