package saml

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/beevik/etree"

	"github.com/seamsso/seam/internal/saml/samltest"
)

// TestVerifyAccepts covers every supported way a correct response can
// arrive. Each case changes one thing relative to goodOptions.
func TestVerifyAccepts(t *testing.T) {
	k := mustKeys(t)
	encryptTo := func(o samltest.EncryptOptions) *samltest.EncryptionTarget {
		return &samltest.EncryptionTarget{Certificate: k.sp.Certificate, Options: o}
	}
	tests := []struct {
		name    string
		key     *samltest.Key
		opts    func(*samltest.Options)
		trust   func(*Trust)
		mutate  func(*testing.T, *etree.Document)
		encode  func(*testing.T, *etree.Document) []byte
		respSig bool
		asrtSig bool
		enc     bool
		check   func(*testing.T, *Assertion)
	}{
		{name: "response and assertion signed", respSig: true, asrtSig: true},
		{name: "response signed only", opts: func(o *samltest.Options) { o.SignAssertion = false }, respSig: true},
		{name: "assertion signed only", opts: func(o *samltest.Options) { o.SignResponse = false }, asrtSig: true},
		{
			name: "idp-initiated (no InResponseTo)",
			opts: func(o *samltest.Options) { o.InResponseTo = "" }, respSig: true, asrtSig: true,
			check: func(t *testing.T, a *Assertion) {
				if a.InResponseTo != "" {
					t.Errorf("InResponseTo = %q, want empty", a.InResponseTo)
				}
			},
		},
		{
			name:    "assertion signed only: InResponseTo only from signed content",
			opts:    func(o *samltest.Options) { o.SignResponse = false },
			asrtSig: true,
			mutate: func(t *testing.T, doc *etree.Document) {
				// The unsigned Response claims a request; the signed
				// confirmation does not.
				a := samltest.AssertionOf(doc)
				findPath(a, "Subject", "SubjectConfirmation", "SubjectConfirmationData").RemoveAttr("InResponseTo")
				samltest.RemoveSignature(a)
				if _, err := samltest.Sign(a, k.idp, samltest.SignOptions{}); err != nil {
					t.Fatal(err)
				}
			},
			check: func(t *testing.T, a *Assertion) {
				if a.InResponseTo != "" {
					t.Errorf("InResponseTo = %q from the unsigned Response; want empty", a.InResponseTo)
				}
			},
		},
		{name: "no Response Issuer", opts: func(o *samltest.Options) { o.OmitResponseIssuer = true }, respSig: true, asrtSig: true},
		{name: "no Response Destination", opts: func(o *samltest.Options) { o.Destination = ""; o.Recipient = testACS }, respSig: true, asrtSig: true},
		{name: "rsa-sha384", opts: func(o *samltest.Options) { o.Sign.SignatureMethod = samltest.AlgRSASHA384 }, respSig: true, asrtSig: true},
		{name: "rsa-sha512 with sha512 digest", opts: func(o *samltest.Options) {
			o.Sign.SignatureMethod, o.Sign.DigestMethod = samltest.AlgRSASHA512, samltest.AlgSHA512
		}, respSig: true, asrtSig: true},
		{name: "exclusive c14n with InclusiveNamespaces PrefixList (Okta style)", opts: func(o *samltest.Options) { o.Sign.InclusiveNamespaces = "xs" }, respSig: true, asrtSig: true},
		{name: "sha384 digest", opts: func(o *samltest.Options) { o.Sign.DigestMethod = samltest.AlgSHA384 }, respSig: true, asrtSig: true},
		{name: "inclusive c14n 1.1", opts: func(o *samltest.Options) { o.Sign.Canonicalization = samltest.AlgC14N11 }, respSig: true, asrtSig: true},
		{name: "inclusive c14n 1.0", opts: func(o *samltest.Options) { o.Sign.Canonicalization = samltest.AlgC14N10 }, respSig: true, asrtSig: true},
		{name: "inclusive c14n 1.1, assertion only", opts: func(o *samltest.Options) {
			o.Sign.Canonicalization, o.SignResponse = samltest.AlgC14N11, false
		}, asrtSig: true},
		{
			name: "ecdsa-sha256 r||s", key: k.ec, respSig: true, asrtSig: true,
			trust: func(tr *Trust) { tr.Certificates = []*x509.Certificate{k.ec.Certificate} },
		},
		{
			name: "ecdsa-sha512 ASN.1 SignatureValue", key: k.ec, respSig: true, asrtSig: true,
			opts:  func(o *samltest.Options) { o.Sign.SignatureMethod, o.Sign.ECDSAASN1 = samltest.AlgECDSASHA512, true },
			trust: func(tr *Trust) { tr.Certificates = []*x509.Certificate{k.ec.Certificate} },
		},
		{
			// Google Workspace breaks DigestValue, SignatureValue and
			// X509Certificate into indented lines; the whitespace in
			// DigestValue is inside SignedInfo and so is signed as sent.
			name: "base64 values wrapped and indented (Google Workspace style)", respSig: true, asrtSig: true,
			opts: func(o *samltest.Options) { o.Sign.WrapBase64 = "\n          " },
		},
		{
			name: "IDs that are bare UUIDs starting with a digit", respSig: true, asrtSig: true,
			opts: func(o *samltest.Options) {
				o.ResponseID, o.AssertionID = "0f8fad5b-d9cb-469f-a165-70867728950e", "7c9e6679-7425-40de-944b-e07fc1f90ae7"
			},
			check: func(t *testing.T, a *Assertion) {
				if a.AssertionID != "7c9e6679-7425-40de-944b-e07fc1f90ae7" {
					t.Errorf("AssertionID = %q", a.AssertionID)
				}
			},
		},
		{
			name: "rsa-sha1 with sha1 digest on a connection that opted in", respSig: true, asrtSig: true,
			opts: func(o *samltest.Options) {
				o.Sign.SignatureMethod, o.Sign.DigestMethod = samltest.AlgRSASHA1, samltest.AlgSHA1
			},
			trust: func(tr *Trust) { tr.Algorithms.LegacyRSASHA1 = true },
			check: func(t *testing.T, a *Assertion) {
				if a.Facts.SignatureMethod != samltest.AlgRSASHA1 {
					t.Errorf("Facts.SignatureMethod = %q; a legacy login must be recorded as such", a.Facts.SignatureMethod)
				}
			},
		},
		{
			name: "rsa-sha256 with sha1 digest on a connection that opted in", respSig: true, asrtSig: true,
			opts:  func(o *samltest.Options) { o.Sign.DigestMethod = samltest.AlgSHA1 },
			trust: func(tr *Trust) { tr.Algorithms.LegacyRSASHA1 = true },
		},
		{name: "no KeyInfo, one trusted certificate", opts: func(o *samltest.Options) { o.Sign.OmitKeyInfo = true }, respSig: true, asrtSig: true},
		{
			name: "no KeyInfo, rotation: signed by the second of two certificates",
			opts: func(o *samltest.Options) { o.Sign.OmitKeyInfo = true }, respSig: true, asrtSig: true,
			trust: func(tr *Trust) { tr.Certificates = []*x509.Certificate{k.idpOld.Certificate, k.idp.Certificate} },
			check: func(t *testing.T, a *Assertion) {
				if a.CertificateFingerprint != Fingerprint(k.idp.Certificate.Raw) {
					t.Errorf("fingerprint %s is not the new certificate's", a.CertificateFingerprint)
				}
			},
		},
		{
			name: "KeyInfo selects the old certificate during rotation", key: k.idpOld, respSig: true, asrtSig: true,
			trust: func(tr *Trust) { tr.Certificates = []*x509.Certificate{k.idp.Certificate, k.idpOld.Certificate} },
			check: func(t *testing.T, a *Assertion) {
				if a.CertificateFingerprint != Fingerprint(k.idpOld.Certificate.Raw) {
					t.Errorf("fingerprint %s is not the old certificate's", a.CertificateFingerprint)
				}
			},
		},
		{
			// KeyInfo is outside SignedInfo, so it can be edited on the
			// outermost signature without breaking anything.
			name: "KeyInfo with KeyName only (Response)", respSig: true, asrtSig: true,
			mutate: func(t *testing.T, doc *etree.Document) { keyNameOnly(samltest.SignatureOf(doc.Root())) },
		},
		{
			name: "KeyInfo with KeyName only (Assertion)", asrtSig: true,
			opts: func(o *samltest.Options) { o.SignResponse = false },
			mutate: func(t *testing.T, doc *etree.Document) {
				keyNameOnly(samltest.SignatureOf(samltest.AssertionOf(doc)))
			},
		},
		{
			name: "alternative audience and ACS URL", respSig: true, asrtSig: true,
			opts: func(o *samltest.Options) {
				o.Destination, o.Audiences = testAltACS, []string{testAltAudience}
			},
			trust: func(tr *Trust) {
				tr.Audiences = []string{testAudience, testAltAudience}
				tr.ACSURLs = []string{testACS, testAltACS}
			},
		},
		{
			name: "one of several audiences matches", respSig: true, asrtSig: true,
			opts: func(o *samltest.Options) { o.Audiences = []string{"https://other.example/sp", testAudience} },
		},
		{
			name: "DEFLATE-compressed", respSig: true, asrtSig: true,
			encode: func(t *testing.T, doc *etree.Document) []byte {
				s, err := samltest.EncodeDeflate(doc)
				if err != nil {
					t.Fatal(err)
				}
				return []byte(s)
			},
		},
		{
			name: "base64 with line breaks and XML declaration", respSig: true, asrtSig: true,
			encode: func(t *testing.T, doc *etree.Document) []byte {
				b, err := samltest.Serialize(doc)
				if err != nil {
					t.Fatal(err)
				}
				b = append([]byte(`<?xml version="1.0" encoding="UTF-8"?>`+"\n"), b...)
				s := base64.StdEncoding.EncodeToString(b)
				var out strings.Builder
				for len(s) > 76 {
					out.WriteString(s[:76] + "\r\n")
					s = s[76:]
				}
				out.WriteString(s)
				return []byte(out.String())
			},
		},
		{
			name: "comment between elements", respSig: true, asrtSig: true,
			mutate: func(t *testing.T, doc *etree.Document) {
				a := samltest.AssertionOf(doc)
				a.InsertChildAt(0, etree.NewComment(" issued by the test IdP "))
			},
		},
		{
			name: "time values with offsets and without fractions", respSig: true, asrtSig: true,
			mutate: func(t *testing.T, doc *etree.Document) {
				cond := findPath(samltest.AssertionOf(doc), "Conditions")
				cond.CreateAttr("NotBefore", testNow.Add(-time.Minute).In(time.FixedZone("", 3600)).Format(time.RFC3339))
				cond.CreateAttr("NotOnOrAfter", testNow.Add(5*time.Minute).Format("2006-01-02T15:04:05"))
				resign(t, doc, k.idp)
			},
		},
		{
			name:    "encrypted AES-256-GCM, OAEP mgf1p, response and assertion signed",
			opts:    func(o *samltest.Options) { o.EncryptTo = encryptTo(samltest.EncryptOptions{}) },
			respSig: true, asrtSig: true, enc: true,
		},
		{
			name: "encrypted AES-128-GCM, response signed, assertion unsigned",
			opts: func(o *samltest.Options) {
				o.SignAssertion = false
				o.EncryptTo = encryptTo(samltest.EncryptOptions{Cipher: samltest.AlgAES128GCM})
			},
			respSig: true, enc: true,
		},
		{
			name: "encrypted AES-128-CBC, assertion signed, response unsigned",
			opts: func(o *samltest.Options) {
				o.SignResponse = false
				o.EncryptTo = encryptTo(samltest.EncryptOptions{Cipher: samltest.AlgAES128CBC})
			},
			asrtSig: true, enc: true,
		},
		{
			name: "encrypted AES-192-CBC with SHA-256 OAEP digest",
			opts: func(o *samltest.Options) {
				o.EncryptTo = encryptTo(samltest.EncryptOptions{Cipher: samltest.AlgAES192CBC, OAEPDigest: samltest.AlgSHA256})
			},
			respSig: true, asrtSig: true, enc: true,
		},
		{
			name: "encrypted AES-256-CBC, xmlenc11 rsa-oaep with MGF1-SHA256 and label",
			opts: func(o *samltest.Options) {
				o.EncryptTo = encryptTo(samltest.EncryptOptions{
					Cipher: samltest.AlgAES256CBC, KeyTransport: samltest.AlgRSAOAEP11,
					OAEPDigest: samltest.AlgSHA256, MGF: samltest.AlgMGF1SHA256, Label: []byte("seam"),
				})
			},
			respSig: true, asrtSig: true, enc: true,
		},
		{
			name: "encrypted with the EncryptedKey beside the EncryptedData",
			opts: func(o *samltest.Options) {
				o.SignResponse = false
				o.EncryptTo = encryptTo(samltest.EncryptOptions{KeyBesideData: true, OAEPDigest: samltest.AlgSHA1})
			},
			asrtSig: true, enc: true,
		},
		{
			name: "encrypted to the second of two SP keys",
			opts: func(o *samltest.Options) {
				o.EncryptTo = &samltest.EncryptionTarget{Certificate: k.sp2.Certificate}
			},
			trust: func(tr *Trust) {
				tr.DecryptionKeys = []*rsa.PrivateKey{k.sp.RSA(), k.sp2.RSA()}
			},
			respSig: true, asrtSig: true, enc: true,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			key := k.idp
			if tc.key != nil {
				key = tc.key
			}
			o := goodOptions()
			if tc.opts != nil {
				tc.opts(&o)
			}
			doc := makeDoc(t, testIDP(key), o)
			if tc.mutate != nil {
				tc.mutate(t, doc)
			}
			tr := testTrust(k)
			if tc.trust != nil {
				tc.trust(&tr)
			}
			var in []byte
			if tc.encode != nil {
				in = tc.encode(t, doc)
			} else {
				in = encodeDoc(t, doc)
			}
			a := mustVerify(t, in, tr)
			if a.ResponseSigned != tc.respSig || a.AssertionSigned != tc.asrtSig || a.Encrypted != tc.enc {
				t.Errorf("signed/encrypted = %v/%v/%v; want %v/%v/%v",
					a.ResponseSigned, a.AssertionSigned, a.Encrypted, tc.respSig, tc.asrtSig, tc.enc)
			}
			if a.NameID != testEmail || a.Issuer != testIDPEntityID {
				t.Errorf("NameID, Issuer = %q, %q", a.NameID, a.Issuer)
			}
			if got := a.Attributes["email"]; !reflect.DeepEqual(got, []string{testEmail}) {
				t.Errorf("email attribute = %q", got)
			}
			if a.CertificateFingerprint == "" || a.AssertionID == "" || a.ResponseID == "" || a.SessionIndex == "" {
				t.Errorf("missing fields in %+v", a)
			}
			if tc.check != nil {
				tc.check(t, a)
			}
		})
	}
}

// TestVerifyAssertionFields checks every field of a verified assertion.
func TestVerifyAssertionFields(t *testing.T) {
	k := mustKeys(t)
	o := goodOptions()
	o.ResponseID, o.AssertionID, o.SessionIndex = "_resp1", "_asrt1", "_sess1"
	o.Attributes = append(o.Attributes,
		samltest.Attribute{Name: "groups", Values: []string{"auditors"}},                                             // merged by Name
		samltest.Attribute{Name: "urn:oid:0.9.2342.19200300.100.1.3", FriendlyName: "mail", Values: []string{"a@b"}}, // alias
		samltest.Attribute{Name: "x-one", FriendlyName: "dup", Values: []string{"1"}},                                // ambiguous alias
		samltest.Attribute{Name: "x-two", FriendlyName: "dup", Values: []string{"2"}},
		samltest.Attribute{Name: "x-three", FriendlyName: "email", Values: []string{"shadow"}}, // alias may not shadow a Name
		samltest.Attribute{Name: "empty"},
	)
	doc := makeDoc(t, testIDP(k.idp), o)
	// A nil value is skipped; a value with surrounding whitespace is trimmed.
	for _, at := range findPath(samltest.AssertionOf(doc), "AttributeStatement").ChildElements() {
		if at.SelectAttrValue("Name", "") == "groups" && len(at.ChildElements()) == 2 {
			nilv := at.CreateElement("saml:AttributeValue")
			nilv.CreateAttr("xsi:nil", "true")
			at.CreateElement("saml:AttributeValue").SetText("\n  padded  \n")
		}
	}
	resign(t, doc, k.idp)

	a := mustVerify(t, encodeDoc(t, doc), testTrust(k))
	want := &Assertion{
		ResponseID:   "_resp1",
		AssertionID:  "_asrt1",
		InResponseTo: testRequestID,
		Issuer:       testIDPEntityID,
		NameID:       testEmail,
		NameIDFormat: samltest.NameIDEmail,
		SessionIndex: "_sess1",
		NotOnOrAfter: testNow.Add(5*time.Minute + DefaultClockSkew),
		Attributes: map[string][]string{
			"email":                             {testEmail},
			"urn:oid:2.5.4.42":                  {"Ada"},
			"givenName":                         {"Ada"},
			"groups":                            {"engineering", "admins", "padded", "auditors"},
			"urn:oid:0.9.2342.19200300.100.1.3": {"a@b"},
			"mail":                              {"a@b"},
			"x-one":                             {"1"},
			"x-two":                             {"2"},
			"x-three":                           {"shadow"},
			"empty":                             {},
		},
		ResponseSigned:         true,
		AssertionSigned:        true,
		CertificateFingerprint: Fingerprint(k.idp.Certificate.Raw),
	}
	want.Facts = Facts{Issuer: want.Issuer, Destination: testACS, Recipient: testACS, InResponseTo: want.InResponseTo,
		AssertionID: want.AssertionID, CertificateFingerprint: want.CertificateFingerprint, SignatureMethod: algRSASHA256,
		Audiences: []string{testACS}, Attributes: want.Attributes}
	if !reflect.DeepEqual(a, want) {
		t.Errorf("got  %+v\nwant %+v", a, want)
	}
}

// resign re-signs a document built with goodOptions after a test edited
// signed content: assertion first, then Response.
func resign(t testing.TB, doc *etree.Document, key *samltest.Key) {
	t.Helper()
	a := samltest.AssertionOf(doc)
	samltest.RemoveSignature(a)
	samltest.RemoveSignature(doc.Root())
	if _, err := samltest.Sign(a, key, samltest.SignOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := samltest.Sign(doc.Root(), key, samltest.SignOptions{}); err != nil {
		t.Fatal(err)
	}
}

func findPath(el *etree.Element, names ...string) *etree.Element {
	for _, n := range names {
		el = samltest.ChildNamed(el, n)
		if el == nil {
			return nil
		}
	}
	return el
}

// TestVerifyDoesNotMutateTrust guards the value semantics of Trust.
func TestVerifyDoesNotMutateTrust(t *testing.T) {
	k := mustKeys(t)
	tr := testTrust(k)
	before := tr
	mustVerify(t, encodeDoc(t, makeDoc(t, testIDP(k.idp), goodOptions())), tr)
	if !reflect.DeepEqual(before, tr) {
		t.Error("Trust changed")
	}
}

func keyNameOnly(sig *etree.Element) {
	ki := samltest.ChildNamed(sig, "KeyInfo")
	for len(ki.Child) > 0 {
		ki.RemoveChildAt(0)
	}
	ki.CreateElement("ds:KeyName").SetText("idp-2031")
}

// TestVerifyLargeResponse accepts a response far beyond goxmldsig's
// 1000-element traversal limit (a user in 3000 groups), which only works
// because the signature sits at its schema position and the detached copy is
// made without that limit.
func TestVerifyLargeResponse(t *testing.T) {
	k := mustKeys(t)
	groups := make([]string, 3000)
	for i := range groups {
		groups[i] = fmt.Sprintf("group-%04d", i)
	}
	for _, mut := range []func(*samltest.Options){nil, assertionOnly, responseOnly} {
		o := goodOptions()
		if mut != nil {
			mut(&o)
		}
		o.Attributes = append(o.Attributes, samltest.Attribute{Name: "memberOf", Values: groups})
		a := mustVerify(t, encodeDoc(t, makeDoc(t, testIDP(k.idp), o)), testTrust(k))
		if len(a.Attributes["memberOf"]) != len(groups) {
			t.Errorf("memberOf has %d values", len(a.Attributes["memberOf"]))
		}
	}
}

// TestVerifyConcurrent runs verifications in parallel on shared inputs (run
// with -race): VerifyResponse keeps no state between calls.
func TestVerifyConcurrent(t *testing.T) {
	k := mustKeys(t)
	good := encodeDoc(t, makeDoc(t, testIDP(k.idp), goodOptions()))
	bad := encodeDoc(t, makeDoc(t, testIDP(k.attacker), goodOptions()))
	tr := testTrust(k)
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 5 {
				if _, err := VerifyResponse(good, tr); err != nil {
					errs <- err
					return
				}
				if _, err := VerifyResponse(bad, tr); err == nil {
					errs <- fmt.Errorf("worker %d accepted the attacker's response", i)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
