package saml

import (
	"bytes"
	"compress/flate"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"io"
	"net/url"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/beevik/etree"
)

func testAuthnParams(k *keys) AuthnRequestParams {
	return AuthnRequestParams{
		ID:           testRequestID,
		IssueInstant: testNow,
		SPEntityID:   testAudience,
		ACSURL:       testACS,
		Destination:  "https://idp.example.com/saml/sso",
		NameIDFormat: NameIDFormatEmail,
		RelayState:   "rs_0123456789",
		SigningKey:   k.sp.RSA(),
	}
}

// verifyRedirectSignature checks the signature the way an IdP must: over
// the raw, still URL-encoded parameters in the order the binding fixes.
func verifyRedirectSignature(t *testing.T, rawURL string, pub *rsa.PublicKey) {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	raw := map[string]string{}
	for _, kv := range strings.Split(u.RawQuery, "&") {
		k, v, _ := strings.Cut(kv, "=")
		raw[k] = v
	}
	signed := "SAMLRequest=" + raw["SAMLRequest"]
	if rs, ok := raw["RelayState"]; ok {
		signed += "&RelayState=" + rs
	}
	signed += "&SigAlg=" + raw["SigAlg"]
	sigAlg, _ := url.QueryUnescape(raw["SigAlg"])
	if sigAlg != "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256" {
		t.Fatalf("SigAlg = %q", sigAlg)
	}
	sigB64, _ := url.QueryUnescape(raw["Signature"])
	sig, err := base64.StdEncoding.DecodeString(sigB64)
	if err != nil {
		t.Fatal(err)
	}
	digest := sha256.Sum256([]byte(signed))
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig); err != nil {
		t.Fatalf("redirect signature does not verify: %v", err)
	}
}

func decodeSAMLRequest(t *testing.T, rawURL string) *etree.Element {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	compressed, err := base64.StdEncoding.DecodeString(u.Query().Get("SAMLRequest"))
	if err != nil {
		t.Fatal(err)
	}
	xmlBytes, err := io.ReadAll(flate.NewReader(bytes.NewReader(compressed)))
	if err != nil {
		t.Fatal(err)
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(xmlBytes); err != nil {
		t.Fatal(err)
	}
	return doc.Root()
}

func TestRedirectURL(t *testing.T) {
	k := mustKeys(t)
	tests := []struct {
		name        string
		mut         func(*AuthnRequestParams)
		wantPrefix  string
		wantRelay   bool
		wantFormat  string
		extraParams url.Values
	}{
		{name: "plain destination", wantPrefix: "https://idp.example.com/saml/sso?SAMLRequest=", wantRelay: true, wantFormat: NameIDFormatEmail},
		{
			name:        "destination with a query string",
			mut:         func(p *AuthnRequestParams) { p.Destination = "https://idp.example.com/sso?tenant=acme&x=a%20b" },
			wantPrefix:  "https://idp.example.com/sso?tenant=acme&x=a%20b&SAMLRequest=",
			wantRelay:   true,
			wantFormat:  NameIDFormatEmail,
			extraParams: url.Values{"tenant": {"acme"}, "x": {"a b"}},
		},
		{name: "no RelayState", mut: func(p *AuthnRequestParams) { p.RelayState = "" }, wantPrefix: "https://idp.example.com/saml/sso?SAMLRequest=", wantFormat: NameIDFormatEmail},
		{name: "RelayState needing escapes", mut: func(p *AuthnRequestParams) { p.RelayState = "a b&c=d/+é" }, wantPrefix: "https://idp.example.com/saml/sso?SAMLRequest=", wantRelay: true, wantFormat: NameIDFormatEmail},
		{name: "no NameIDFormat", mut: func(p *AuthnRequestParams) { p.NameIDFormat = "" }, wantPrefix: "https://idp.example.com/saml/sso?SAMLRequest=", wantRelay: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := testAuthnParams(k)
			if tc.mut != nil {
				tc.mut(&p)
			}
			got, err := RedirectURL(p)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(got, tc.wantPrefix) {
				t.Fatalf("URL %q does not start with %q", got, tc.wantPrefix)
			}
			verifyRedirectSignature(t, got, &k.sp.RSA().PublicKey)
			u, _ := url.Parse(got)
			q := u.Query()
			if tc.wantRelay != q.Has("RelayState") || q.Get("RelayState") != p.RelayState {
				t.Errorf("RelayState = %q, want %q", q.Get("RelayState"), p.RelayState)
			}
			for k, v := range tc.extraParams {
				if q.Get(k) != v[0] {
					t.Errorf("query %s = %q, want %q", k, q.Get(k), v[0])
				}
			}

			r := decodeSAMLRequest(t, got)
			want := map[string]string{
				"ID":                          testRequestID,
				"Version":                     "2.0",
				"IssueInstant":                "2031-03-04T05:06:07.000Z",
				"Destination":                 p.Destination,
				"AssertionConsumerServiceURL": testACS,
				"ProtocolBinding":             BindingHTTPPost,
			}
			if !is(r, nsProtocol, "AuthnRequest") {
				t.Fatalf("root is %s", r.Tag)
			}
			for a, v := range want {
				if got := attrValue(r, a); got != v {
					t.Errorf("%s = %q, want %q", a, got, v)
				}
			}
			iss, _ := onlyChild(r, nsAssertion, "Issuer")
			if iss == nil || iss.Text() != testAudience {
				t.Errorf("Issuer wrong")
			}
			pol, _ := onlyChild(r, nsProtocol, "NameIDPolicy")
			if pol == nil || attrValue(pol, "AllowCreate") != "true" || attrValue(pol, "Format") != tc.wantFormat {
				t.Errorf("NameIDPolicy wrong")
			}
		})
	}
}

func TestRedirectURLRejectsBadParams(t *testing.T) {
	k := mustKeys(t)
	small, err := rsa.GenerateKey(nil, 1024)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		mut  func(*AuthnRequestParams)
	}{
		{"bad ID", func(p *AuthnRequestParams) { p.ID = "1abc" }},
		{"no issue instant", func(p *AuthnRequestParams) { p.IssueInstant = time.Time{} }},
		{"no entity ID", func(p *AuthnRequestParams) { p.SPEntityID = "" }},
		{"long RelayState", func(p *AuthnRequestParams) { p.RelayState = strings.Repeat("r", 81) }},
		{"no key", func(p *AuthnRequestParams) { p.SigningKey = nil }},
		{"1024-bit key", func(p *AuthnRequestParams) { p.SigningKey = small }},
		{"javascript destination", func(p *AuthnRequestParams) { p.Destination = "javascript:alert(1)" }},
		{"relative destination", func(p *AuthnRequestParams) { p.Destination = "/sso" }},
		{"destination with fragment", func(p *AuthnRequestParams) { p.Destination = "https://idp.example.com/sso#x" }},
		{"destination with credentials", func(p *AuthnRequestParams) { p.Destination = "https://u:p@idp.example.com/sso" }},
		{"destination already has SAMLRequest", func(p *AuthnRequestParams) { p.Destination = "https://idp.example.com/sso?SAMLRequest=x" }},
		{"ftp ACS", func(p *AuthnRequestParams) { p.ACSURL = "ftp://seam.example.com/acs" }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := testAuthnParams(k)
			tc.mut(&p)
			if _, err := RedirectURL(p); !errors.Is(err, ErrInvalidAuthnRequest) {
				t.Fatalf("err = %v, want ErrInvalidAuthnRequest", err)
			}
		})
	}
}

func TestNewRequestID(t *testing.T) {
	id, err := NewRequestID(bytes.NewReader(bytes.Repeat([]byte{0xab}, 20)))
	if err != nil {
		t.Fatal(err)
	}
	if id != "_"+strings.Repeat("ab", 20) || !isNCNameID(id) {
		t.Errorf("id = %q", id)
	}
	if _, err := NewRequestID(iotest.ErrReader(errors.New("no entropy"))); !errors.Is(err, ErrInvalidAuthnRequest) {
		t.Errorf("err = %v", err)
	}
	if _, err := NewRequestID(bytes.NewReader(make([]byte, 19))); err == nil {
		t.Error("short read accepted")
	}
}

// TestRedirectURLReusedDeflater checks that a compressor lent by
// Deflaters, used before for other requests, gives the URL a new one
// gives (the signature is deterministic, so the URLs compare whole).
func TestRedirectURLReusedDeflater(t *testing.T) {
	k := mustKeys(t)
	var d Deflaters
	for i, mut := range []func(*AuthnRequestParams){
		func(p *AuthnRequestParams) {},
		func(p *AuthnRequestParams) { p.NameIDFormat, p.RelayState = "", "" },
		func(p *AuthnRequestParams) { p.ID = "_" + strings.Repeat("ab", 20) },
		func(p *AuthnRequestParams) {},
	} {
		p := testAuthnParams(k)
		mut(&p)
		want, err := RedirectURL(p)
		if err != nil {
			t.Fatal(err)
		}
		p.Deflaters = &d
		got, err := RedirectURL(p)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Fatalf("request %d: with a reused compressor\n%s\nwith a new one\n%s", i, got, want)
		}
		decodeSAMLRequest(t, got)
	}
}
