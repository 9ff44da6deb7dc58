package saml

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"net/http"
	"strings"
	"testing"

	xrv "github.com/mattermost/xml-roundtrip-validator"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/saml/samltest"
)

// FuzzVerifyResponse feeds XML (base64-encoded by the target, raw=false) or
// raw form values (raw=true) to the verifier without its recover(), so any
// panic fails. Seeds are valid responses in every shape and every must-reject
// vector, all validly signed by the trusted key, so mutations start next to
// the code paths that matter.
func FuzzVerifyResponse(f *testing.F) {
	k := mustKeys(f)
	addEncoded := func(encoded []byte) {
		f.Add(encoded, true)
		if decoded, err := base64.StdEncoding.DecodeString(string(encoded)); err == nil && looksLikeXML(decoded) {
			f.Add(decoded, false)
		}
	}
	valid := []func(*samltest.Options){
		nil,
		responseOnly,
		assertionOnly,
		func(o *samltest.Options) {
			o.EncryptTo = &samltest.EncryptionTarget{Certificate: k.sp.Certificate}
		},
		func(o *samltest.Options) {
			o.SignResponse = false
			o.EncryptTo = &samltest.EncryptionTarget{Certificate: k.sp.Certificate,
				Options: samltest.EncryptOptions{Cipher: samltest.AlgAES128CBC, KeyBesideData: true}}
		},
		func(o *samltest.Options) { o.Sign.Canonicalization = samltest.AlgC14N11 },
	}
	for _, mut := range valid {
		addEncoded(encodeDoc(f, signed(f, k, mut)))
	}
	for _, a := range attacks() {
		addEncoded(a.build(f, k))
	}
	f.Add([]byte(""), true)
	f.Add([]byte("<"), false)

	f.Fuzz(func(t *testing.T, data []byte, raw bool) {
		in := data
		if !raw {
			in = []byte(base64.StdEncoding.EncodeToString(data))
		}
		tr := testTrust(k)
		a, rej := verifyResponse(in, &tr)
		if rej != nil {
			if a != nil || rej.Reason == "" || rej.Reason.ErrorType() == "" {
				t.Fatalf("inconsistent rejection %+v", rej)
			}
			return
		}
		if !a.ResponseSigned && !a.AssertionSigned {
			t.Fatal("accepted a response without a verified signature")
		}
		if a.NameID == "" || a.Issuer != testIDPEntityID || a.AssertionID == "" || a.CertificateFingerprint == "" {
			t.Fatalf("accepted an incomplete assertion %+v", a)
		}
	})
}

// FuzzParseIDPMetadata checks that the metadata parser never panics, only
// returns 400 *apierr.Errors, and that whatever it accepts is usable.
func FuzzParseIDPMetadata(f *testing.F) {
	k := mustKeys(f)
	good := idpMetadataXML(k)
	f.Add([]byte(good))
	f.Add([]byte(`<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata">` +
		strings.SplitN(good, "?>", 2)[1] + `</md:EntitiesDescriptor>`))
	sp, err := SPMetadata(SPMetadataParams{EntityID: testAudience, ACSURL: testACS, SigningCertificate: k.sp.Certificate})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(sp)
	for _, s := range []string{
		``, `<x/>`, `<!DOCTYPE x><x/>`,
		`<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="e"><md:IDPSSODescriptor><md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="javascript:alert(1)"/></md:IDPSSODescriptor></md:EntityDescriptor>`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		md, err := ParseIDPMetadata(data)
		if err != nil {
			var ae *apierr.Error
			if !errors.As(err, &ae) || ae.Status != http.StatusBadRequest ||
				(ae.Type != errTypeMetadataXML && ae.Type != errTypeMetadataFormat) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if md.EntityID == "" || len(md.Certificates) == 0 || (md.SSOURLPost == "" && md.SSOURLRedirect == "") {
			t.Fatalf("accepted unusable metadata %+v", md)
		}
		for _, u := range []string{md.SSOURLPost, md.SSOURLRedirect} {
			if u == "" {
				continue
			}
			if _, err := checkHTTPURL(u); err != nil {
				t.Fatalf("accepted SSO URL %q: %v", u, err)
			}
		}
	})
}

// FuzzRoundTripShortcut backs roundTrips' shortcuts: for every token the
// strict decoder produces, the full xml-roundtrip-validator check agrees with
// roundTrips.
func FuzzRoundTripShortcut(f *testing.F) {
	for _, s := range []string{
		"<a>text</a>", "<a>a&amp;b&lt;c&#13;&#x9;\r\n\t</a>", "<a><![CDATA[<x>&]]></a>", "<a><![CDATA[]]></a>",
		"<a>\u00e9\U0001F600\uFFFD</a>", "<a>]]&gt;</a>", "<a b='\"'>'</a>",
		"<a><!-- c --><!----><!-- a-b - --></a>", "<!-- top --><a/><!-- tail -->", "<a><!-- x ---></a>",
		`<p:a xmlns:p="urn:x" xmlns="urn:d" p:b="1" c="2"><p:-/><x:y:z/><:a/><b :c="1"/><é·-/></p:a>`,
		`<a xmlns:="x"/>`, `<a x:="1"/>`, `<_.a/>`, `<a٠/>`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		dec := xml.NewDecoder(bytes.NewReader(data))
		dec.Strict = true
		for {
			tok, err := dec.RawToken()
			if err != nil {
				return
			}
			tok = xml.CopyToken(tok)
			if full := xrv.CheckToken(tok) == nil; full != roundTrips(tok) {
				t.Fatalf("token %#v: validator says stable=%v, shortcut says %v", tok, full, !full)
			}
		}
	})
}

// TestRoundTripShortcutEnumerated compares roundTrips with the validator on
// every start tag built from up to three of a set of tricky attributes
// (redeclared and shared namespaces, prefixed attributes, xml:lang, default
// namespace undeclaration) on elements with and without prefixes.
func TestRoundTripShortcutEnumerated(t *testing.T) {
	attrs := []string{`xmlns="u"`, `xmlns="v"`, `xmlns=""`, `xmlns:p="u"`, `xmlns:p="v"`, `xmlns:q="u"`, `xmlns:r="u"`,
		`b="1"`, `c="2"`, `p:b="1"`, `q:c="2"`, `xml:lang="en"`, `xmlns:xml="http://www.w3.org/XML/1998/namespace"`,
		`xmlns:="x"`, `x:="1"`, `a-b="1"`, `é="1"`,
		// prefixes the encoder generates when it re-encodes a token
		`xmlns:_xmlns="u"`, `_xmlns:b="1"`, `xmlns:_xml="u"`, `_xml:c="1"`, `xmlns:p_1="u"`, `p_1:d="1"`, `xmlns:u="u"`, `u:e="1"`}
	names := []string{"a", "p:a", "q:a", "xml:a", "p:-a", "a.b", "_xmlns:a", "u:a"}
	checked := 0
	var rec func(prefix []string, depth int)
	rec = func(prefix []string, depth int) {
		for _, n := range names {
			doc := "<" + n + " " + strings.Join(prefix, " ") + "></" + n + ">"
			dec := xml.NewDecoder(strings.NewReader(doc))
			dec.Strict = true
			for {
				tok, err := dec.RawToken()
				if err != nil {
					break
				}
				tok = xml.CopyToken(tok)
				checked++
				if full := xrv.CheckToken(tok) == nil; full != roundTrips(tok) {
					t.Errorf("%s: validator says stable=%v", doc, full)
				}
			}
		}
		if depth == 3 {
			return
		}
		for _, a := range attrs {
			rec(append(append([]string{}, prefix...), a), depth+1)
		}
	}
	rec(nil, 0)
	if checked < 10000 {
		t.Errorf("only %d tokens checked", checked)
	}
}
