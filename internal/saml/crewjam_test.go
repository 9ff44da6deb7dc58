package saml

// Interoperability with an IdP written by others: crewjam/saml's
// IdentityProvider, in process, with fresh keys. Our RedirectURL produces the
// AuthnRequest, crewjam validates it against our SPMetadata and answers, and
// VerifyResponse checks the answer.

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/xml"
	"html"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"
	crewjam "github.com/crewjam/saml"
	dsig "github.com/russellhaering/goxmldsig"
)

const crewjamSSOURL = "https://idp.example.com/saml/sso?tenant=acme"

type spProvider struct{ ed *crewjam.EntityDescriptor }

func (p spProvider) GetServiceProvider(_ *http.Request, id string) (*crewjam.EntityDescriptor, error) {
	if id != p.ed.EntityID {
		return nil, os.ErrNotExist
	}
	return p.ed, nil
}

type sessionProvider struct{ s *crewjam.Session }

func (p sessionProvider) GetSession(http.ResponseWriter, *http.Request, *crewjam.IdpAuthnRequest) *crewjam.Session {
	return p.s
}

type tlog struct{ t *testing.T }

func (w tlog) Write(b []byte) (int, error) { w.t.Log(strings.TrimSpace(string(b))); return len(b), nil }

// useCrewjamClock pins crewjam's package clock to testNow for the test.
func useCrewjamClock(t *testing.T) {
	prev := crewjam.TimeNow
	crewjam.TimeNow = func() time.Time { return testNow }
	t.Cleanup(func() { crewjam.TimeNow = prev })
}

func newCrewjamIdP(t *testing.T, k *keys, spMetadata []byte) *crewjam.IdentityProvider {
	t.Helper()
	var ed crewjam.EntityDescriptor
	if err := xml.Unmarshal(spMetadata, &ed); err != nil {
		t.Fatalf("crewjam cannot read our SP metadata: %v", err)
	}
	metadataURL, _ := url.Parse(testIDPEntityID)
	ssoURL, _ := url.Parse(crewjamSSOURL)
	return &crewjam.IdentityProvider{
		Key:                     k.idp.RSA(),
		Certificate:             k.idp.Certificate,
		Logger:                  log.New(tlog{t}, "crewjam: ", 0),
		MetadataURL:             *metadataURL,
		SSOURL:                  *ssoURL,
		ServiceProviderProvider: spProvider{&ed},
		SessionProvider: sessionProvider{&crewjam.Session{
			ID: "session-1", CreateTime: testNow, ExpireTime: testNow.Add(time.Hour), Index: "_session_index_1",
			NameID: testEmail, NameIDFormat: NameIDFormatEmail,
			UserEmail: testEmail, UserGivenName: "Ada", UserSurname: "Lovelace", UserCommonName: "Ada Lovelace",
			Groups: []string{"engineering", "admins"},
		}},
		SignatureMethod: dsig.RSASHA256SignatureMethod,
	}
}

func spMetadataFor(t *testing.T, k *keys, entityID string, encrypt bool) []byte {
	t.Helper()
	p := SPMetadataParams{
		EntityID:           entityID,
		ACSURL:             testACS,
		AlternativeACSURL:  testAltACS,
		SigningCertificate: k.sp.Certificate,
		NameIDFormat:       NameIDFormatEmail,
	}
	if encrypt {
		p.EncryptionCertificates = []*x509.Certificate{k.sp.Certificate}
	}
	md, err := SPMetadata(p)
	if err != nil {
		t.Fatal(err)
	}
	return md
}

var formValue = regexp.MustCompile(`name="SAMLResponse" value="([^"]*)"`)

func samlResponseFromForm(t *testing.T, body string) []byte {
	t.Helper()
	m := formValue.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no SAMLResponse in the IdP's answer: %.300s", body)
	}
	return []byte(html.UnescapeString(m[1]))
}

// crewjamAuthnRequest sends our redirect to crewjam and returns the parsed,
// validated request (crewjam's checks of our AuthnRequest included).
func crewjamAuthnRequest(t *testing.T, idp *crewjam.IdentityProvider, p AuthnRequestParams) *crewjam.IdpAuthnRequest {
	t.Helper()
	redirect, err := RedirectURL(p)
	if err != nil {
		t.Fatal(err)
	}
	req, err := crewjam.NewIdpAuthnRequest(idp, httptest.NewRequest(http.MethodGet, redirect, nil))
	if err != nil {
		t.Fatalf("crewjam cannot read our AuthnRequest: %v", err)
	}
	if err := req.Validate(); err != nil {
		t.Fatalf("crewjam rejects our AuthnRequest: %v", err)
	}
	if req.Request.ID != p.ID || req.ACSEndpoint.Location != p.ACSURL {
		t.Fatalf("crewjam read ID %q ACS %q", req.Request.ID, req.ACSEndpoint.Location)
	}
	return req
}

func crewjamTrust(k *keys) Trust {
	tr := testTrust(k)
	tr.Now = testNow.Add(5 * time.Second)
	return tr
}

func checkCrewjamAssertion(t *testing.T, a *Assertion, inResponseTo string) {
	t.Helper()
	if a.NameID != testEmail || a.Issuer != testIDPEntityID || a.InResponseTo != inResponseTo {
		t.Errorf("NameID %q Issuer %q InResponseTo %q", a.NameID, a.Issuer, a.InResponseTo)
	}
	if a.SessionIndex != "_session_index_1" {
		t.Errorf("SessionIndex %q", a.SessionIndex)
	}
	// crewjam names attributes by OID with a FriendlyName.
	if got := a.Attributes["mail"]; len(got) != 1 || got[0] != testEmail {
		t.Errorf("mail = %q (attributes %v)", got, a.Attributes)
	}
	if got := a.Attributes["eduPersonAffiliation"]; len(got) != 2 {
		t.Errorf("groups = %q", got)
	}
}

func TestCrewjamSPInitiatedThroughServeSSO(t *testing.T) {
	useCrewjamClock(t)
	k := mustKeys(t)
	idp := newCrewjamIdP(t, k, spMetadataFor(t, k, testAudience, false))
	p := testAuthnParams(k)
	p.Destination = crewjamSSOURL
	redirect, err := RedirectURL(p)
	if err != nil {
		t.Fatal(err)
	}
	w := httptest.NewRecorder()
	idp.ServeSSO(w, httptest.NewRequest(http.MethodGet, redirect, nil))
	if w.Code != http.StatusOK {
		t.Fatalf("crewjam answered %d: %s", w.Code, w.Body.String())
	}
	a := mustVerify(t, samlResponseFromForm(t, w.Body.String()), crewjamTrust(k))
	checkCrewjamAssertion(t, a, testRequestID)
	if !a.ResponseSigned || !a.AssertionSigned || a.Encrypted {
		t.Errorf("signed/encrypted = %v/%v/%v", a.ResponseSigned, a.AssertionSigned, a.Encrypted)
	}
}

func TestCrewjamResponseShapes(t *testing.T) {
	useCrewjamClock(t)
	k := mustKeys(t)
	tests := []struct {
		name    string
		encrypt bool
		make    func(t *testing.T, req *crewjam.IdpAuthnRequest) []byte
		trust   func(*Trust)
		respSig bool
		asrtSig bool
	}{
		{
			name: "signed response, unsigned assertion",
			make: func(t *testing.T, req *crewjam.IdpAuthnRequest) []byte {
				req.AssertionEl = req.Assertion.Element()
				return postBinding(t, req)
			},
			respSig: true,
		},
		{
			name: "signed assertion, unsigned response",
			make: func(t *testing.T, req *crewjam.IdpAuthnRequest) []byte {
				if err := req.MakeAssertionEl(); err != nil {
					t.Fatal(err)
				}
				resp := crewjam.Response{
					Destination: req.ACSEndpoint.Location, ID: "_crewjam_unsigned_response",
					InResponseTo: req.Request.ID, IssueInstant: testNow, Version: "2.0",
					Issuer: &crewjam.Issuer{Format: "urn:oasis:names:tc:SAML:2.0:nameid-format:entity", Value: testIDPEntityID},
					Status: crewjam.Status{StatusCode: crewjam.StatusCode{Value: crewjam.StatusSuccess}},
				}
				el := resp.Element()
				el.AddChild(req.AssertionEl)
				doc := etree.NewDocument()
				doc.SetRoot(el)
				b, err := doc.WriteToBytes()
				if err != nil {
					t.Fatal(err)
				}
				return []byte(base64.StdEncoding.EncodeToString(b))
			},
			asrtSig: true,
		},
		{
			name:    "encrypted assertion (AES-128-CBC, RSA-OAEP), both signed",
			encrypt: true,
			make:    postBinding,
			respSig: true, asrtSig: true,
		},
		{
			name:    "rotation: the IdP's key is the second trusted certificate",
			make:    postBinding,
			trust:   func(tr *Trust) { tr.Certificates = []*x509.Certificate{k.idpOld.Certificate, k.idp.Certificate} },
			respSig: true, asrtSig: true,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			idp := newCrewjamIdP(t, k, spMetadataFor(t, k, testAudience, tc.encrypt))
			p := testAuthnParams(k)
			p.Destination = crewjamSSOURL
			req := crewjamAuthnRequest(t, idp, p)
			session := idp.SessionProvider.GetSession(nil, nil, req)
			if err := (crewjam.DefaultAssertionMaker{}).MakeAssertion(req, session); err != nil {
				t.Fatal(err)
			}
			tr := crewjamTrust(k)
			if tc.trust != nil {
				tc.trust(&tr)
			}
			a := mustVerify(t, tc.make(t, req), tr)
			checkCrewjamAssertion(t, a, testRequestID)
			if a.ResponseSigned != tc.respSig || a.AssertionSigned != tc.asrtSig || a.Encrypted != tc.encrypt {
				t.Errorf("signed/encrypted = %v/%v/%v", a.ResponseSigned, a.AssertionSigned, a.Encrypted)
			}
		})
	}
}

func postBinding(t *testing.T, req *crewjam.IdpAuthnRequest) []byte {
	t.Helper()
	form, err := req.PostBinding()
	if err != nil {
		t.Fatal(err)
	}
	return []byte(form.SAMLResponse)
}

func TestCrewjamAlternativeAudienceAndACS(t *testing.T) {
	useCrewjamClock(t)
	k := mustKeys(t)
	idp := newCrewjamIdP(t, k, spMetadataFor(t, k, testAltAudience, false))
	p := testAuthnParams(k)
	p.Destination, p.SPEntityID, p.ACSURL = crewjamSSOURL, testAltAudience, testAltACS
	redirect, err := RedirectURL(p)
	if err != nil {
		t.Fatal(err)
	}
	w := httptest.NewRecorder()
	idp.ServeSSO(w, httptest.NewRequest(http.MethodGet, redirect, nil))
	tr := crewjamTrust(k)
	tr.Audiences = []string{testAudience, testAltAudience}
	tr.ACSURLs = []string{testACS, testAltACS}
	body := samlResponseFromForm(t, w.Body.String())
	checkCrewjamAssertion(t, mustVerify(t, body, tr), testRequestID)

	// The same response for a connection without the alternatives.
	expectReason(t, body, crewjamTrust(k), ReasonDestinationMismatch)
	tr.Audiences = []string{testAudience}
	expectReason(t, body, tr, ReasonAudienceMismatch)
}

func TestCrewjamIdPInitiated(t *testing.T) {
	useCrewjamClock(t)
	k := mustKeys(t)
	for _, encrypt := range []bool{false, true} {
		idp := newCrewjamIdP(t, k, spMetadataFor(t, k, testAudience, encrypt))
		w := httptest.NewRecorder()
		idp.ServeIDPInitiated(w, httptest.NewRequest(http.MethodGet, "https://idp.example.com/login", nil), testAudience, "rs")
		if w.Code != http.StatusOK {
			t.Fatalf("crewjam answered %d", w.Code)
		}
		a := mustVerify(t, samlResponseFromForm(t, w.Body.String()), crewjamTrust(k))
		checkCrewjamAssertion(t, a, "")
		if a.Encrypted != encrypt {
			t.Errorf("Encrypted = %v", a.Encrypted)
		}
	}
}

// TestCrewjamResponseUnderHostileTrust makes sure an interoperable response
// is still refused when the connection's settings do not match it.
func TestCrewjamResponseUnderHostileTrust(t *testing.T) {
	useCrewjamClock(t)
	k := mustKeys(t)
	idp := newCrewjamIdP(t, k, spMetadataFor(t, k, testAudience, false))
	p := testAuthnParams(k)
	p.Destination = crewjamSSOURL
	redirect, err := RedirectURL(p)
	if err != nil {
		t.Fatal(err)
	}
	w := httptest.NewRecorder()
	idp.ServeSSO(w, httptest.NewRequest(http.MethodGet, redirect, nil))
	body := samlResponseFromForm(t, w.Body.String())

	tests := []struct {
		name  string
		trust func(*Trust)
		want  Reason
	}{
		{"other IdP's certificate", func(tr *Trust) { tr.Certificates = []*x509.Certificate{k.attacker.Certificate} }, ReasonUnknownCertificate},
		{"other entity ID", func(tr *Trust) { tr.IDPEntityID = "https://other-idp.example" }, ReasonIssuerMismatch},
		{"other ACS URL", func(tr *Trust) { tr.ACSURLs = []string{testAltACS} }, ReasonDestinationMismatch},
		{"too late", func(tr *Trust) { tr.Now = testNow.Add(10 * time.Minute) }, ReasonExpired},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr := crewjamTrust(k)
			tc.trust(&tr)
			expectReason(t, body, tr, tc.want)
		})
	}
}
