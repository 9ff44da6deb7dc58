package saml

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/seamsso/seam/internal/apierr"
)

func TestSPMetadata(t *testing.T) {
	k := mustKeys(t)
	md, err := SPMetadata(SPMetadataParams{
		EntityID:               testAudience,
		ACSURL:                 testACS,
		AlternativeACSURL:      testAltACS,
		SigningCertificate:     k.sp.Certificate,
		EncryptionCertificates: []*x509.Certificate{k.sp.Certificate, k.sp2.Certificate},
		NameIDFormat:           NameIDFormatEmail,
		ValidUntil:             testNow.AddDate(1, 0, 0),
	})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(md, []byte(`<?xml version="1.0" encoding="UTF-8"?>`)) {
		t.Errorf("no XML declaration")
	}
	root, rej := parseUntrusted(md, metadataLimits(), nil)
	if rej != nil {
		t.Fatalf("our own metadata fails our parser: %v", rej)
	}
	if !is(root, nsMetadata, "EntityDescriptor") || attrValue(root, "entityID") != testAudience {
		t.Fatalf("root %s entityID %q", root.Tag, attrValue(root, "entityID"))
	}
	sp, _ := onlyChild(root, nsMetadata, "SPSSODescriptor")
	if sp == nil || attrValue(sp, "AuthnRequestsSigned") != "true" || attrValue(sp, "WantAssertionsSigned") != "true" ||
		attrValue(sp, "protocolSupportEnumeration") != nsProtocol {
		t.Fatal("SPSSODescriptor attributes wrong")
	}
	var uses []string
	for _, kd := range children(sp, nsMetadata, "KeyDescriptor") {
		uses = append(uses, attrValue(kd, "use"))
		der, err := decodeBase64Text(findPath(kd, "KeyInfo", "X509Data", "X509Certificate"))
		if err != nil {
			t.Fatal(err)
		}
		want := k.sp.Certificate.Raw
		if len(uses) == 3 {
			want = k.sp2.Certificate.Raw
		}
		if !bytes.Equal(der, want) {
			t.Errorf("KeyDescriptor %d carries the wrong certificate", len(uses))
		}
		if attrValue(kd, "use") == "encryption" && len(children(kd, nsMetadata, "EncryptionMethod")) != len(encryptionMethods()) {
			t.Errorf("encryption KeyDescriptor lacks EncryptionMethods")
		}
	}
	if strings.Join(uses, ",") != "signing,encryption,encryption" {
		t.Errorf("KeyDescriptor uses = %v", uses)
	}
	if nf, _ := onlyChild(sp, nsMetadata, "NameIDFormat"); nf == nil || nf.Text() != NameIDFormatEmail {
		t.Error("NameIDFormat wrong")
	}
	acs := children(sp, nsMetadata, "AssertionConsumerService")
	if len(acs) != 2 ||
		attrValue(acs[0], "Location") != testACS || attrValue(acs[0], "index") != "0" || attrValue(acs[0], "isDefault") != "true" ||
		attrValue(acs[1], "Location") != testAltACS || attrValue(acs[1], "index") != "1" ||
		attrValue(acs[0], "Binding") != BindingHTTPPost || attrValue(acs[1], "Binding") != BindingHTTPPost {
		t.Errorf("AssertionConsumerService wrong: %s", md)
	}
}

func TestSPMetadataRejectsBadParams(t *testing.T) {
	k := mustKeys(t)
	good := SPMetadataParams{EntityID: testAudience, ACSURL: testACS, SigningCertificate: k.sp.Certificate}
	tests := map[string]func(*SPMetadataParams){
		"no entity ID":       func(p *SPMetadataParams) { p.EntityID = "" },
		"bad ACS":            func(p *SPMetadataParams) { p.ACSURL = "javascript:x" },
		"bad alt ACS":        func(p *SPMetadataParams) { p.AlternativeACSURL = "/relative" },
		"no signing cert":    func(p *SPMetadataParams) { p.SigningCertificate = nil },
		"nil encryption key": func(p *SPMetadataParams) { p.EncryptionCertificates = []*x509.Certificate{nil} },
	}
	for name, mut := range tests {
		t.Run(name, func(t *testing.T) {
			p := good
			mut(&p)
			if _, err := SPMetadata(p); err == nil {
				t.Fatal("accepted")
			}
		})
	}
}

func b64(c *x509.Certificate) string { return base64.StdEncoding.EncodeToString(c.Raw) }

func idpMetadataXML(k *keys) string {
	return `<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID=" ` + testIDPEntityID + ` ">
  <!-- signed metadata would carry a ds:Signature here -->
  <md:IDPSSODescriptor WantAuthnRequestsSigned="true" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>
      ` + b64(k.idp.Certificate) + `
    </ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:KeyDescriptor use="encryption"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>` + b64(k.sp.Certificate) + `</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:KeyDescriptor><ds:KeyInfo><ds:X509Data><ds:X509Certificate>` + b64(k.idpOld.Certificate) + `</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>` + b64(k.idp.Certificate) + `</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:SOAP" Location="https://idp.example.com/saml/soap"/>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://idp.example.com/saml/post"/>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.com/saml/redirect?x=1"/>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://idp.example.com/saml/post2"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>`
}

func TestParseIDPMetadata(t *testing.T) {
	k := mustKeys(t)
	spEntity := `<md:EntityDescriptor entityID="https://sp.example"><md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"/></md:EntityDescriptor>`
	single := idpMetadataXML(k)
	inner := strings.SplitN(single, "?>", 2)[1]
	inner = strings.Replace(inner, ` xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"`, "", 1)
	tests := map[string]string{
		"EntityDescriptor": single,
		"EntitiesDescriptor with an SP and the IdP": `<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata">` +
			spEntity + inner + `</md:EntitiesDescriptor>`,
		"nested EntitiesDescriptor": `<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"><md:EntitiesDescriptor>` +
			inner + `</md:EntitiesDescriptor>` + spEntity + `</md:EntitiesDescriptor>`,
	}
	for name, doc := range tests {
		t.Run(name, func(t *testing.T) {
			md, err := ParseIDPMetadata([]byte(doc))
			if err != nil {
				t.Fatal(err)
			}
			if md.EntityID != testIDPEntityID {
				t.Errorf("EntityID %q", md.EntityID)
			}
			if md.SSOURLPost != "https://idp.example.com/saml/post" || md.SSOURLRedirect != "https://idp.example.com/saml/redirect?x=1" {
				t.Errorf("SSO URLs %q %q", md.SSOURLPost, md.SSOURLRedirect)
			}
			if len(md.Certificates) != 2 || !md.Certificates[0].Equal(k.idp.Certificate) || !md.Certificates[1].Equal(k.idpOld.Certificate) {
				t.Errorf("got %d certificates, want idp then idpOld (encryption key excluded, duplicate dropped)", len(md.Certificates))
			}
		})
	}
}

// TestParseIDPMetadataFromCrewjam reads the metadata a real IdP written by
// others publishes.
func TestParseIDPMetadataFromCrewjam(t *testing.T) {
	useCrewjamClock(t)
	k := mustKeys(t)
	idp := newCrewjamIdP(t, k, spMetadataFor(t, k, testAudience, false))
	raw, err := xml.MarshalIndent(idp.Metadata(), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	md, err := ParseIDPMetadata(raw)
	if err != nil {
		t.Fatalf("%v\n%s", err, raw)
	}
	if md.EntityID != testIDPEntityID || md.SSOURLRedirect != crewjamSSOURL || md.SSOURLPost != crewjamSSOURL {
		t.Errorf("%+v", md)
	}
	if len(md.Certificates) != 1 || !md.Certificates[0].Equal(k.idp.Certificate) {
		t.Errorf("certificates: %d", len(md.Certificates))
	}
}

func TestParseIDPMetadataRejects(t *testing.T) {
	k := mustKeys(t)
	good := idpMetadataXML(k)
	replace := func(old, new string) string {
		if !strings.Contains(good, old) {
			panic("fixture lacks " + old)
		}
		return strings.ReplaceAll(good, old, new)
	}
	const (
		xmlErr    = "invalid_xml_from_saml_metadata_url"
		formatErr = "saml_connection_metadata_invalid_format"
	)
	tests := []struct {
		name, doc, wantType string
	}{
		{"empty", "  ", xmlErr},
		{"not XML", "this is not metadata", xmlErr},
		{"HTML page", "<html><body>login</body>", xmlErr},
		{"DOCTYPE", `<!DOCTYPE md [<!ENTITY x SYSTEM "file:///etc/passwd">]>` + strings.SplitN(good, "?>", 2)[1], xmlErr},
		{"unstable XML", replace("<md:NameIDFormat>", "<md:->x</md:-><md:NameIDFormat>"), xmlErr},
		{"too large", good + strings.Repeat(" ", MaxMetadataSize), xmlErr},
		{"not UTF-8", replace("<md:NameIDFormat>", "<md:NameIDFormat>\xfe"), xmlErr},
		{"wrong root", `<EntityDescriptor entityID="x"/>`, formatErr},
		{"no IDPSSODescriptor", replace("IDPSSODescriptor", "SPSSODescriptor"), formatErr},
		{"SAML 1.1 only", replace(`protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"`, `protocolSupportEnumeration="urn:oasis:names:tc:SAML:1.1:protocol"`), formatErr},
		{"two IdPs", `<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata">` +
			strings.Repeat(strings.Replace(strings.SplitN(good, "?>", 2)[1], ` xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"`, "", 1), 2) +
			`</md:EntitiesDescriptor>`, formatErr},
		{"no entityID", replace(`entityID=" `+testIDPEntityID+` "`, ""), formatErr},
		{"javascript Location", replace("https://idp.example.com/saml/post2", "javascript:alert(document.cookie)"), formatErr},
		{"relative Location", replace("https://idp.example.com/saml/soap", "/saml/soap"), formatErr},
		{"data Location", replace("https://idp.example.com/saml/post", "data:text/html,alert(1)"), formatErr},
		{"no Redirect or POST binding", replace("bindings:HTTP-POST", "bindings:HTTP-Artifact") + "", formatErr},
		{"unparsable certificate", replace(b64(k.idpOld.Certificate), base64.StdEncoding.EncodeToString([]byte("not a certificate"))), formatErr},
		{"certificate not base64", replace(b64(k.idpOld.Certificate), "%%%"), formatErr},
		{"no signing certificate", replace(`<md:KeyDescriptor use="signing">`, `<md:KeyDescriptor use="encryption">`) + "", formatErr},
	}
	messages := map[string]string{}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc := tc.doc
			if tc.name == "no Redirect or POST binding" {
				doc = strings.ReplaceAll(doc, "bindings:HTTP-Redirect", "bindings:SOAP")
			}
			if tc.name == "no signing certificate" {
				doc = strings.Replace(doc, "<md:KeyDescriptor><ds:KeyInfo>", `<md:KeyDescriptor use="encryption"><ds:KeyInfo>`, 1)
			}
			_, err := ParseIDPMetadata([]byte(doc))
			var ae *apierr.Error
			if !errors.As(err, &ae) {
				t.Fatalf("err = %v, want *apierr.Error", err)
			}
			if ae.Status != http.StatusBadRequest || ae.Type != tc.wantType {
				t.Fatalf("got %d %s (%s); want 400 %s", ae.Status, ae.Type, ae.Message, tc.wantType)
			}
			if ae.Type == formatErr {
				if other, dup := messages[ae.Message]; dup {
					t.Errorf("message %q shared with %q", ae.Message, other)
				}
				messages[ae.Message] = tc.name
			}
		})
	}
}

// An HTML page (the commonest wrong metadata URL: a sign-in page) is named
// as HTML, not as a DOCTYPE or root-element problem.
func TestParseIDPMetadataNamesHTML(t *testing.T) {
	for _, doc := range []string{
		"<!DOCTYPE html><html><body>Sign in</body></html>",
		"\xef\xbb\xbf\n  <!doctype HTML>\n<html>",
		"<!-- portal --><html lang=\"en\"><head></head></html>",
		"<html>",
		`<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><body/></html>`,
	} {
		_, err := ParseIDPMetadata([]byte(doc))
		e := apierr.As(err)
		if e.Type != "invalid_xml_from_saml_metadata_url" || !strings.Contains(e.Message, "HTML page, not SAML metadata") {
			t.Errorf("%q: %v", doc, err)
		}
	}
	// Not HTML: the usual errors.
	for _, doc := range []string{"<htmlish/>", `<!DOCTYPE r [<!ENTITY x "y">]><r/>`} {
		_, err := ParseIDPMetadata([]byte(doc))
		if e := apierr.As(err); strings.Contains(e.Message, "HTML") {
			t.Errorf("%q named HTML: %v", doc, err)
		}
	}
}
