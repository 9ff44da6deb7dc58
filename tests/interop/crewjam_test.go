package interop

import (
	"net/url"
	"testing"

	"github.com/seamsso/seam/internal/apptest"
)

// crewjamSetup is Seam with one SAML connection configured from a samlidp
// server's metadata URL, and the IdP knowing Seam's SP metadata.
type crewjamSetup struct {
	env  *apptest.Env
	conn *samlConn
	idp  *crewjamIdP
}

func newCrewjamSetup(t *testing.T, slug string) *crewjamSetup {
	t.Helper()
	env := newSeam(t)
	conn := newOrgAndSAML(t, env, slug)
	idp := newCrewjamIdP(t)
	conn.UpdateByURL(t, idp.URL+"/metadata")
	conn.Update(t, map[string]any{"attribute_mapping": map[string]any{
		"email": "mail", "full_name": "cn", "groups": "eduPersonAffiliation",
	}})
	if conn.Body["status"] != "active" {
		t.Fatalf("connection not active after configuration: %v", conn.Body)
	}
	if got := conn.Body["idp_entity_id"]; got != idp.URL+"/metadata" {
		t.Fatalf("idp_entity_id = %v, want the samlidp metadata URL", got)
	}
	if got := conn.Body["idp_sso_url"]; got != idp.URL+"/sso" {
		t.Fatalf("idp_sso_url = %v, want %s/sso", got, idp.URL)
	}
	idp.AddServiceProvider("seam", conn.SPMetadata(t))
	return &crewjamSetup{env: env, conn: conn, idp: idp}
}

func (s *crewjamSetup) browser(t *testing.T) *Browser {
	b := NewBrowser(t)
	b.Fill = map[string]string{"user": userName, "password": userPassword}
	return b
}

func TestCrewjamSPInitiated(t *testing.T) {
	s := newCrewjamSetup(t, "crewjam-sp")
	b := s.browser(t)
	p := b.Get(startURL(s.env, s.conn.ID, url.Values{"login_redirect_url": {loginURL}, "signup_redirect_url": {signupURL}}))
	tok := landing(t, b, p, signupURL)
	t.Logf("token %s…", tok[:12])
	wantLatestLogin(t, s.conn.Logins(t), "success")
}
