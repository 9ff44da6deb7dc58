package interop

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/crewjam/saml"
	"github.com/crewjam/saml/logger"
	"github.com/crewjam/saml/samlidp"
	dsig "github.com/russellhaering/goxmldsig"
	"golang.org/x/crypto/bcrypt"
)

// crewjamIdP is crewjam/saml's samlidp server on httptest, with a fresh
// signing key and one user, alice.
type crewjamIdP struct {
	t      *testing.T
	Server *samlidp.Server
	HTTP   *httptest.Server
	URL    string // base URL; metadata at URL+"/metadata", SSO at URL+"/sso"
	Keys   *keyPair
	// Signing selects which elements the IdP signs: "both" (samlidp's
	// behaviour), "assertion" or "response".
	Signing string
}

// The test user in every IdP.
const (
	userName     = "alice"
	userPassword = "correct horse battery staple"
	userEmail    = "alice@example.com"
	userFullName = "Alice Example"
)

var userGroups = []string{"engineering", "admins"}

// loginFormTemplate replaces samlidp's default login form, whose action is
// the /login endpoint (which only answers with the session as JSON): this
// one posts the credentials with the AuthnRequest back to /sso, where
// samlidp accepts credentials and answers the request in one step.
const loginFormTemplate = `<html><p>{{.Toast}}</p><form method="post" action="%s">` +
	`<input type="text" name="user" value="" /><input type="password" name="password" value="" />` +
	`<input type="hidden" name="SAMLRequest" value="{{.SAMLRequest}}" />` +
	`<input type="hidden" name="RelayState" value="{{.RelayState}}" />` +
	`<input type="submit" value="Log In" /></form></html>`

func newCrewjamIdP(t *testing.T) *crewjamIdP {
	t.Helper()
	idp := &crewjamIdP{t: t, Keys: newKeyPair(t, "crewjam IdP"), Signing: "both"}
	idp.HTTP = httptest.NewUnstartedServer(nil)
	idp.URL = "http://" + idp.HTTP.Listener.Addr().String()
	base, _ := url.Parse(idp.URL)
	tmpl := template.Must(template.New("login").Parse(fmt.Sprintf(loginFormTemplate, idp.URL+"/sso")))
	srv, err := samlidp.New(samlidp.Options{
		URL: *base, Key: idp.Keys.Key, Certificate: idp.Keys.Cert, Store: &samlidp.MemoryStore{},
		Logger: logger.DefaultLogger, LoginFormTemplate: tmpl,
	})
	if err != nil {
		t.Fatal(err)
	}
	// samlidp signs with RSA-SHA1 unless told otherwise; Seam refuses SHA-1.
	srv.IDP.SignatureMethod = dsig.RSASHA256SignatureMethod
	idp.Server = srv
	mux := http.NewServeMux()
	mux.Handle("/", srv)
	mux.HandleFunc("/sso", idp.serveSSO)
	idp.HTTP.Config.Handler = mux
	idp.HTTP.Start()
	t.Cleanup(idp.HTTP.Close)

	// The user is stored directly rather than through PUT /users, which
	// hashes with bcrypt's default cost: under the race detector on a busy
	// machine each check of that hash takes seconds, and every login checks
	// it. The minimum cost keeps the same code path.
	hash, err := bcrypt.GenerateFromPassword([]byte(userPassword), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Store.Put("/users/"+userName, samlidp.User{
		Name: userName, HashedPassword: hash, Email: userEmail, CommonName: userFullName,
		GivenName: "Alice", Surname: "Example", Groups: userGroups,
	}); err != nil {
		t.Fatal(err)
	}
	return idp
}

// put calls samlidp's REST interface, as its operator would.
func (idp *crewjamIdP) put(path string, body any) {
	idp.t.Helper()
	var raw []byte
	switch b := body.(type) {
	case []byte:
		raw = b
	default:
		var err error
		if raw, err = json.Marshal(b); err != nil {
			idp.t.Fatal(err)
		}
	}
	req, err := http.NewRequest(http.MethodPut, idp.URL+path, bytes.NewReader(raw))
	if err != nil {
		idp.t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		idp.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		idp.t.Fatalf("samlidp PUT %s: %d", path, resp.StatusCode)
	}
}

// AddServiceProvider registers Seam's SP metadata with the IdP.
func (idp *crewjamIdP) AddServiceProvider(name string, metadata []byte) {
	idp.t.Helper()
	idp.put("/services/"+name, metadata)
}

// AddShortcut registers an IdP-initiated login to the service provider
// with that entity ID; the browser starts it at URL+"/login/"+name.
func (idp *crewjamIdP) AddShortcut(name, spEntityID string) {
	idp.t.Helper()
	idp.put("/shortcuts/"+name, map[string]any{"service_provider": spEntityID})
}

// LogIn establishes the user's session at the IdP (for IdP-initiated
// logins, which start from a logged-in IdP portal).
func (idp *crewjamIdP) LogIn(b *Browser) {
	idp.t.Helper()
	resp, err := b.Client.PostForm(idp.URL+"/login", url.Values{"user": {userName}, "password": {userPassword}})
	if err != nil {
		idp.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		idp.t.Fatalf("samlidp login: %d", resp.StatusCode)
	}
}

// UseKeys switches the IdP's signing key and certificate (rotation).
func (idp *crewjamIdP) UseKeys(k *keyPair) {
	idp.Server.IDP.Key, idp.Server.IDP.Certificate = k.Key, k.Cert
}

// serveSSO is samlidp's ServeSSO (IdentityProvider.ServeSSO) when Signing
// is "both"; for the other modes it runs the same steps through crewjam's
// IdpAuthnRequest API and changes only which elements are signed.
func (idp *crewjamIdP) serveSSO(w http.ResponseWriter, r *http.Request) {
	if idp.Signing == "both" {
		idp.Server.IDP.ServeSSO(w, r)
		return
	}
	req, err := saml.NewIdpAuthnRequest(&idp.Server.IDP, r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if err := req.Validate(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	session := idp.Server.GetSession(w, r, req)
	if session == nil {
		return
	}
	if err := (saml.DefaultAssertionMaker{}).MakeAssertion(req, session); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	switch idp.Signing {
	case "assertion":
		// MakeAssertionEl signs the assertion; the Response around it is
		// built as MakeResponse builds it, minus its signature.
		if err := req.MakeAssertionEl(); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		resp := &saml.Response{
			Destination: req.ACSEndpoint.Location, ID: fmt.Sprintf("id-unsigned-%d", req.Now.UnixNano()),
			InResponseTo: req.Request.ID, IssueInstant: req.Now, Version: "2.0",
			Issuer: &saml.Issuer{Format: "urn:oasis:names:tc:SAML:2.0:nameid-format:entity", Value: req.IDP.MetadataURL.String()},
			Status: saml.Status{StatusCode: saml.StatusCode{Value: saml.StatusSuccess}},
		}
		el := resp.Element()
		el.AddChild(req.AssertionEl)
		req.ResponseEl = el
	case "response":
		// An unsigned assertion; MakeResponse signs the Response.
		req.AssertionEl = req.Assertion.Element()
		if err := req.MakeResponse(); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
	default:
		http.Error(w, "unknown signing mode "+idp.Signing, http.StatusInternalServerError)
		return
	}
	if err := req.WriteResponse(w); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
	}
}
