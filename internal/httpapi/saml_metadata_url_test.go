package httpapi_test

import (
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/seamsso/seam/internal/apptest"
	"github.com/seamsso/seam/internal/config"
)

// metadataServer serves IdP metadata (and hostile variants) over TLS and
// counts the requests that reached it.
type metadataServer struct {
	srv  *httptest.Server
	hits atomic.Int64
	cert string
	ca   string // PEM file of the server's certificate
}

func newMetadataServer(t *testing.T) *metadataServer {
	t.Helper()
	m := &metadataServer{}
	m.cert, _ = testCert(t, "metadata idp")
	block, _ := pem.Decode([]byte(m.cert))
	good := fmt.Sprintf(`<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="https://idp.example/meta">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>%s</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://idp.example/sso/post"/>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example/sso/redirect"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>`, base64.StdEncoding.EncodeToString(block.Bytes))
	m.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.hits.Add(1)
		switch r.URL.Path {
		case "/metadata":
			_, _ = w.Write([]byte(good))
		case "/html":
			_, _ = w.Write([]byte("<!DOCTYPE html>\n<html lang=\"en\"><head><title>Sign in</title></head><body>Sign in</body></html>"))
		case "/xhtml":
			_, _ = w.Write([]byte(`<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><body>portal</body></html>`))
		case "/not-xml":
			_, _ = w.Write([]byte(`{"this": "is json"}`))
		case "/sp-only":
			_, _ = w.Write([]byte(`<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x"><md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"/></md:EntityDescriptor>`))
		case "/doctype":
			_, _ = w.Write([]byte(`<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="&x;"/>`))
		case "/huge":
			_, _ = w.Write([]byte(strings.Repeat("<a/>", 1<<20)))
		case "/redirect-loopback":
			http.Redirect(w, r, "https://127.0.0.2:9/metadata", http.StatusFound)
		case "/missing":
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(m.srv.Close)
	m.ca = filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(m.ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: m.srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	return m
}

// allowOnly lets Seam reach exactly this server (its host:port), nothing else on loopback.
func (m *metadataServer) allowOnly() apptest.Option {
	host := strings.TrimPrefix(m.srv.URL, "https://")
	return func(c *config.Config) { c.OutboundAllow = host; c.OutboundCAFile = m.ca }
}

func TestSAMLUpdateByMetadataURL(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		m := newMetadataServer(t)
		e := apptest.New(t, backend, m.allowOnly())
		e.CreateOrg("Acme", "acme")
		id := createSAML(e, "acme")["connection_id"].(string)
		e.MustOK(e.Call("PUT", samlPath("acme", id), map[string]any{"attribute_mapping": map[string]any{"email": "mail", "full_name": "cn"}}))
		c := e.MustOK(e.Call("PUT", samlPath("acme", id)+"/url", map[string]any{"metadata_url": m.srv.URL + "/metadata", "connection_id": id})).Obj("connection")
		if c["idp_entity_id"] != "https://idp.example/meta" || c["idp_sso_url"] != "https://idp.example/sso/redirect" || c["status"] != "active" {
			t.Fatalf("after metadata = %v", c)
		}
		if v := c["verification_certificates"].([]any); len(v) != 1 || !strings.Contains(v[0].(map[string]any)["certificate"].(string), "CERTIFICATE") {
			t.Fatalf("certificates = %v", v)
		}
		if c["attribute_mapping"].(map[string]any)["email"] != "mail" {
			t.Errorf("metadata changed attribute_mapping: %v", c["attribute_mapping"])
		}
		// Fetching the same metadata again adds no duplicate certificate.
		again := e.MustOK(e.Call("PUT", samlPath("acme", id)+"/url", map[string]any{"metadata_url": m.srv.URL + "/metadata"})).Obj("connection")
		if len(again["verification_certificates"].([]any)) != 1 {
			t.Errorf("refetch duplicated the certificate")
		}
	})
}

func TestSAMLUpdateByMetadataURLRefusals(t *testing.T) {
	m := newMetadataServer(t)
	e := apptest.New(t, "sqlite", m.allowOnly())
	e.CreateOrg("Acme", "acme")
	id := createSAML(e, "acme")["connection_id"].(string)
	cases := []struct {
		url     string
		errType string
		reaches bool // whether the request may reach the test server
	}{
		{"not a url", "invalid_saml_metadata_url", false},
		{"file:///etc/passwd", "invalid_saml_metadata_url", false},
		{"gopher://127.0.0.1:70/x", "invalid_saml_metadata_url", false},
		{"https://user:pass@idp.example/metadata", "invalid_saml_metadata_url", false},
		{"http://127.0.0.1/metadata", "saml_metadata_url_refused", false},
		{"http://[::1]/metadata", "saml_metadata_url_refused", false},
		{"http://169.254.169.254/latest/meta-data/", "saml_metadata_url_refused", false},
		{"http://10.0.0.1/metadata", "saml_metadata_url_refused", false},
		{"http://2130706433/metadata", "saml_metadata_url_refused", false},
		{"http://0x7f.1/metadata", "saml_metadata_url_refused", false},
		{"http://[::ffff:127.0.0.1]/metadata", "saml_metadata_url_refused", false},
		{strings.Replace(m.srv.URL, "127.0.0.1", "127.0.0.2", 1) + "/metadata", "saml_metadata_url_refused", false},
		{m.srv.URL + "/redirect-loopback", "saml_metadata_url_refused", true},
		{m.srv.URL + "/missing", "saml_metadata_url_http_error", true},
		{m.srv.URL + "/not-xml", "invalid_xml_from_saml_metadata_url", true},
		{m.srv.URL + "/doctype", "invalid_xml_from_saml_metadata_url", true},
		{m.srv.URL + "/html", "invalid_xml_from_saml_metadata_url", true},
		{m.srv.URL + "/xhtml", "invalid_xml_from_saml_metadata_url", true},
		{m.srv.URL + "/sp-only", "saml_connection_metadata_invalid_format", true},
		{m.srv.URL + "/huge", "saml_metadata_too_large", true},
	}
	before := stripRequestID(e.MustOK(e.Call("GET", "/v1/b2b/sso/acme", nil)).Raw)
	for _, tc := range cases {
		hits := m.hits.Load()
		r := e.Call("PUT", samlPath("acme", id)+"/url", map[string]any{"metadata_url": tc.url})
		if r.Status != 400 || r.ErrorType() != tc.errType {
			t.Errorf("%s: got %d %q, want 400 %q: %s", tc.url, r.Status, r.ErrorType(), tc.errType, r.Raw)
		}
		if !tc.reaches && m.hits.Load() != hits {
			t.Errorf("%s: the refused URL reached the server", tc.url)
		}
		if strings.Contains(r.Str("error_message"), "<") {
			t.Errorf("%s: error message reflects the response body: %s", tc.url, r.Str("error_message"))
		}
		// An HTML page is named as such, not as a DOCTYPE problem.
		if strings.Contains(tc.url, "html") && (!strings.Contains(r.Str("error_message"), "HTML page, not SAML metadata") ||
			strings.Contains(r.Str("error_message"), "DOCTYPE")) {
			t.Errorf("%s: %s", tc.url, r.Str("error_message"))
		}
	}
	if after := stripRequestID(e.MustOK(e.Call("GET", "/v1/b2b/sso/acme", nil)).Raw); after != before {
		t.Fatalf("refused metadata URLs changed the connection:\n%s\n%s", before, after)
	}
	e.WantError(e.Call("PUT", samlPath("acme", id)+"/url", map[string]any{}), 400, "invalid_saml_metadata_url")
	e.WantError(e.Call("PUT", samlPath("acme", "saml-connection-test-00000000-0000-4000-8000-000000000000")+"/url",
		map[string]any{"metadata_url": m.srv.URL + "/metadata"}), 404, "saml_connection_not_found")
}

func TestSPMetadataDocument(t *testing.T) {
	e := apptest.New(t, "sqlite")
	e.CreateOrg("Acme", "acme")
	c := createSAML(e, "acme")
	id := c["connection_id"].(string)
	_, encKey := testCert(t, "enc")
	e.MustOK(e.Call("PUT", samlPath("acme", id), map[string]any{"saml_encryption_private_key": encKey, "alternative_acs_url": "https://legacy.example/acs"}))
	req, _ := http.NewRequest("GET", e.URL+samlPath("acme", id)+"/metadata", nil)
	req.SetBasicAuth(e.Creds.ProjectID, e.Creds.Secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	buf := new(strings.Builder)
	_, _ = fmt.Fprint(buf, readAll(t, resp))
	body := buf.String()
	for _, want := range []string{`entityID="` + c["audience_uri"].(string) + `"`, `Location="` + c["acs_url"].(string) + `"`,
		`https://legacy.example/acs`, `use="signing"`, `use="encryption"`, `AuthnRequestsSigned="true"`,
		"urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"} {
		if !strings.Contains(body, want) {
			t.Errorf("SP metadata lacks %s:\n%s", want, body)
		}
	}
	if resp.Header.Get("Content-Type") != "application/samlmetadata+xml" || strings.Contains(body, "PRIVATE") {
		t.Errorf("content type %q / private key in metadata", resp.Header.Get("Content-Type"))
	}
}
