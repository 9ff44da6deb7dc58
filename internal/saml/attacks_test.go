package saml

import (
	"bytes"
	"compress/flate"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
	"github.com/russellhaering/goxmldsig/etreeutils"

	"github.com/seamsso/seam/internal/saml/samltest"
)

const evilNameID = "admin@evil.example"

// attack is one must-reject vector. Every vector starts from a response that
// the trusted IdP key validly signed (or, for the parser-level classes, from
// its serialization), so the only thing wrong with it is the attack itself.
type attack struct {
	name  string
	build func(t testing.TB, k *keys) []byte
	trust func(*Trust, *keys)
	want  Reason
	// check inspects the rejection's facts.
	check func(*testing.T, *Rejection, *keys)
}

// signed builds goodOptions (both signatures) after mut, signed by k.idp.
func signed(t testing.TB, k *keys, mut func(*samltest.Options)) *etree.Document {
	t.Helper()
	o := goodOptions()
	if mut != nil {
		mut(&o)
	}
	return makeDoc(t, testIDP(k.idp), o)
}

func responseOnly(o *samltest.Options)  { o.SignAssertion = false }
func assertionOnly(o *samltest.Options) { o.SignResponse = false }
func unsigned(o *samltest.Options)      { o.SignAssertion, o.SignResponse = false, false }

func serialize(t testing.TB, doc *etree.Document) string {
	t.Helper()
	b, err := samltest.Serialize(doc)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// xsw applies a samltest XSW builder to a document signed per mut.
func xsw(mut func(*samltest.Options), f func(*etree.Document, string) error) func(testing.TB, *keys) []byte {
	return func(t testing.TB, k *keys) []byte {
		doc := signed(t, k, mut)
		if err := f(doc, evilNameID); err != nil {
			t.Fatal(err)
		}
		return encodeDoc(t, doc)
	}
}

// mutated builds a signed document, lets edit change it and encodes it.
func mutated(mut func(*samltest.Options), edit func(testing.TB, *keys, *etree.Document)) func(testing.TB, *keys) []byte {
	return func(t testing.TB, k *keys) []byte {
		doc := signed(t, k, mut)
		edit(t, k, doc)
		return encodeDoc(t, doc)
	}
}

// resignWith builds an unsigned document and signs its assertion and/or
// Response with so (the hostile signing options).
func resignWith(mut func(*samltest.Options), signAssertion, signResponse bool, so func(*keys) (*samltest.Key, samltest.SignOptions)) func(testing.TB, *keys) []byte {
	return func(t testing.TB, k *keys) []byte {
		doc := signed(t, k, func(o *samltest.Options) {
			unsigned(o)
			if mut != nil {
				mut(o)
			}
		})
		key, opts := so(k)
		if signAssertion {
			if _, err := samltest.Sign(samltest.AssertionOf(doc), key, opts); err != nil {
				t.Fatal(err)
			}
		}
		if signResponse {
			if _, err := samltest.Sign(doc.Root(), key, opts); err != nil {
				t.Fatal(err)
			}
		}
		return encodeDoc(t, doc)
	}
}

func withKey(key func(*keys) *samltest.Key, o samltest.SignOptions) func(*keys) (*samltest.Key, samltest.SignOptions) {
	return func(k *keys) (*samltest.Key, samltest.SignOptions) { return key(k), o }
}

func idpKey(k *keys) *samltest.Key      { return k.idp }
func attackerKey(k *keys) *samltest.Key { return k.attacker }
func strptr(s string) *string           { return &s }

// editSignedInfo changes the SignedInfo of el's signature and re-signs it
// with the trusted key, so the signature stays cryptographically valid.
func editSignedInfo(t testing.TB, k *keys, el *etree.Element, edit func(si *etree.Element)) {
	t.Helper()
	sig := samltest.SignatureOf(el)
	edit(samltest.ChildNamed(sig, "SignedInfo"))
	if err := samltest.FinishSignature(sig, k.idp, samltest.SignOptions{}); err != nil {
		t.Fatal(err)
	}
}

// rawXML prefixes or rewrites the serialization of a validly signed response.
func rawXML(mut func(*samltest.Options), rewrite func(string) string) func(testing.TB, *keys) []byte {
	return func(t testing.TB, k *keys) []byte {
		return encodeXML(rewrite(serialize(t, signed(t, k, mut))))
	}
}

// encryptedDoc builds a response with an EncryptedAssertion.
func encryptedDoc(t testing.TB, k *keys, signAssertion, signResponse bool, eo samltest.EncryptOptions, to *samltest.Key) *etree.Document {
	t.Helper()
	if to == nil {
		to = k.sp
	}
	return signed(t, k, func(o *samltest.Options) {
		o.SignAssertion, o.SignResponse = signAssertion, signResponse
		o.EncryptTo = &samltest.EncryptionTarget{Certificate: to.Certificate, Options: eo}
	})
}

// cipherValueOf returns the content CipherValue element of an encrypted doc.
func cipherValueOf(doc *etree.Document) *etree.Element {
	enc := samltest.ChildNamed(doc.Root(), "EncryptedAssertion")
	return findPath(enc, "EncryptedData", "CipherData", "CipherValue")
}

// replaceEncryptedPlaintext swaps the EncryptedAssertion for one whose
// plaintext is exactly plaintext.
func replaceEncryptedPlaintext(t testing.TB, k *keys, doc *etree.Document, plaintext []byte) {
	t.Helper()
	old := samltest.ChildNamed(doc.Root(), "EncryptedAssertion")
	enc, err := samltest.EncryptedAssertion(plaintext, k.sp.Certificate, samltest.EncryptOptions{})
	if err != nil {
		t.Fatal(err)
	}
	idx := old.Index()
	doc.Root().RemoveChildAt(idx)
	doc.Root().InsertChildAt(idx, enc)
}

func attacks() []attack {
	return []attack{
		// XML Signature Wrapping, SAMLRaider's permutations.
		{name: "XSW1 copy of signed Response inside its Signature", build: xsw(responseOnly, samltest.XSW1), want: ReasonDuplicateID},
		{name: "XSW1 on a doubly signed response", build: xsw(nil, samltest.XSW1), want: ReasonDuplicateID},
		{name: "XSW2 copy of signed Response before its Signature", build: xsw(responseOnly, samltest.XSW2), want: ReasonDuplicateID},
		{name: "XSW3 evil assertion before the signed one", build: xsw(assertionOnly, samltest.XSW3), want: ReasonMultipleAssertions},
		{name: "XSW4 signed assertion inside the evil one", build: xsw(assertionOnly, samltest.XSW4), want: ReasonMultipleAssertions},
		{name: "XSW5 edited assertion plus unsigned original copy", build: xsw(assertionOnly, samltest.XSW5), want: ReasonMultipleAssertions},
		{name: "XSW6 original copy inside the assertion Signature", build: xsw(assertionOnly, samltest.XSW6), want: ReasonMultipleAssertions},
		{name: "XSW7 evil assertion inside Extensions", build: xsw(assertionOnly, samltest.XSW7), want: ReasonMultipleAssertions},
		{name: "XSW8 original copy inside ds:Object", build: xsw(assertionOnly, samltest.XSW8), want: ReasonDuplicateID},
		{name: "XSW9 recomputed DigestValue plus wrapped original (CVE-2019-3465)", build: xsw(assertionOnly, samltest.XSW9), want: ReasonDuplicateID},
		{name: "XSW3 on a doubly signed response", build: xsw(nil, samltest.XSW3), want: ReasonMultipleAssertions},
		// The same wrappings reduced to one assertion reach the signature
		// checks.
		{
			name: "XSW1 reduced: evil Response ID, no copy",
			build: mutated(responseOnly, func(t testing.TB, k *keys, doc *etree.Document) {
				doc.Root().SelectAttr("ID").Value = samltest.EvilResponseID
				_ = samltest.SetNameID(samltest.AssertionOf(doc), evilNameID)
			}),
			want: ReasonReferenceURIMismatch,
		},
		{
			name: "XSW5 reduced: evil Assertion ID, no copy",
			build: mutated(assertionOnly, func(t testing.TB, k *keys, doc *etree.Document) {
				samltest.AssertionOf(doc).SelectAttr("ID").Value = samltest.EvilAssertionID
				_ = samltest.SetNameID(samltest.AssertionOf(doc), evilNameID)
			}),
			want: ReasonReferenceURIMismatch,
		},
		{
			name: "edited NameID under a Response signature",
			build: mutated(responseOnly, func(t testing.TB, k *keys, doc *etree.Document) {
				_ = samltest.SetNameID(samltest.AssertionOf(doc), evilNameID)
			}),
			want: ReasonSignatureInvalid,
		},
		{
			name: "edited NameID under an Assertion signature",
			build: mutated(assertionOnly, func(t testing.TB, k *keys, doc *etree.Document) {
				_ = samltest.SetNameID(samltest.AssertionOf(doc), evilNameID)
			}),
			want: ReasonSignatureInvalid,
		},
		{
			name: "edited NameID under both signatures",
			build: mutated(nil, func(t testing.TB, k *keys, doc *etree.Document) {
				_ = samltest.SetNameID(samltest.AssertionOf(doc), evilNameID)
			}),
			want: ReasonSignatureInvalid,
		},
		{
			name: "XSW9 reduced: recomputed DigestValue, original SignatureValue",
			build: mutated(assertionOnly, func(t testing.TB, k *keys, doc *etree.Document) {
				if err := samltest.XSW9(doc, evilNameID); err != nil {
					t.Fatal(err)
				}
				doc.Root().RemoveChild(samltest.ChildNamed(doc.Root(), "Extensions"))
			}),
			want: ReasonSignatureInvalid,
		},
		{
			name: "ds:Object without an assertion inside the Signature",
			build: mutated(assertionOnly, func(t testing.TB, k *keys, doc *etree.Document) {
				sig := samltest.SignatureOf(samltest.AssertionOf(doc))
				sig.CreateElement("ds:Object").CreateElement("samlp:Extensions")
			}),
			want: ReasonSignatureShapeInvalid,
		},
		{
			name: "Signature inside Extensions instead of on the Response",
			build: mutated(responseOnly, func(t testing.TB, k *keys, doc *etree.Document) {
				sig := samltest.SignatureOf(doc.Root())
				doc.Root().RemoveChild(sig)
				ext := etree.NewElement("samlp:Extensions")
				ext.AddChild(sig)
				doc.Root().InsertChildAt(1, ext)
			}),
			want: ReasonSignatureShapeInvalid,
		},
		{
			name: "forged Signature planted in StatusDetail (CVE-2024-45409, CVE-2025-25292 shape)",
			build: mutated(assertionOnly, func(t testing.TB, k *keys, doc *etree.Document) {
				sig := samltest.SignatureOf(samltest.AssertionOf(doc)).Copy()
				status := samltest.ChildNamed(doc.Root(), "Status")
				status.CreateElement("samlp:StatusDetail").AddChild(sig)
			}),
			want: ReasonSignatureShapeInvalid,
		},

		{
			name: "Response Signature moved after the Assertion",
			build: mutated(responseOnly, func(t testing.TB, k *keys, doc *etree.Document) {
				sig := samltest.SignatureOf(doc.Root())
				doc.Root().RemoveChild(sig)
				doc.Root().AddChild(sig)
			}),
			want: ReasonSignatureShapeInvalid,
		},
		{
			name: "Assertion Signature moved to the end of the Assertion",
			build: mutated(assertionOnly, func(t testing.TB, k *keys, doc *etree.Document) {
				a := samltest.AssertionOf(doc)
				sig := samltest.SignatureOf(a)
				a.RemoveChild(sig)
				a.AddChild(sig)
			}),
			want: ReasonSignatureShapeInvalid,
		},
		{
			name: "foreign-namespace X509Data in KeyInfo",
			build: mutated(responseOnly, func(t testing.TB, k *keys, doc *etree.Document) {
				ki := samltest.ChildNamed(samltest.SignatureOf(doc.Root()), "KeyInfo")
				evil := ki.CreateElement("e:X509Data")
				evil.CreateAttr("xmlns:e", "urn:evil")
				evil.CreateElement("e:X509Certificate").SetText(base64.StdEncoding.EncodeToString(k.attacker.Certificate.Raw))
				ki.InsertChildAt(0, evil)
			}),
			want: ReasonSignatureShapeInvalid,
		},

		// Multiple and misplaced assertions.
		{name: "second unsigned assertion after the signed one (CVE-2022-41912)", build: xsw(assertionOnly, samltest.MultipleAssertions), want: ReasonMultipleAssertions},
		{name: "second assertion under a signed Response", build: xsw(responseOnly, samltest.MultipleAssertions), want: ReasonMultipleAssertions},
		{
			name: "Assertion and EncryptedAssertion together",
			build: mutated(assertionOnly, func(t testing.TB, k *keys, doc *etree.Document) {
				enc, err := samltest.EncryptedAssertion([]byte("<x/>"), k.sp.Certificate, samltest.EncryptOptions{})
				if err != nil {
					t.Fatal(err)
				}
				doc.Root().AddChild(enc)
			}),
			want: ReasonMultipleAssertions,
		},
		{
			name: "only assertion moved into Extensions",
			build: mutated(assertionOnly, func(t testing.TB, k *keys, doc *etree.Document) {
				a := samltest.AssertionOf(doc)
				doc.Root().RemoveChild(a)
				doc.Root().CreateElement("samlp:Extensions").AddChild(a)
			}),
			want: ReasonNoAssertion,
		},
		{
			name: "no assertion at all",
			build: mutated(responseOnly, func(t testing.TB, k *keys, doc *etree.Document) {
				doc.Root().RemoveChild(samltest.AssertionOf(doc))
			}),
			want: ReasonNoAssertion,
		},
		{
			name: "Response nested in Extensions",
			build: mutated(assertionOnly, func(t testing.TB, k *keys, doc *etree.Document) {
				inner := etree.NewElement("samlp:Response")
				inner.CreateAttr("ID", "_inner")
				doc.Root().InsertChildAt(1, inner)
			}),
			want: ReasonMalformed,
		},

		// Comment injection (CVE-2017-11427 family): the signature stays
		// valid because exclusive canonicalization drops comments.
		{
			name: "comment injected into NameID",
			build: func(t testing.TB, k *keys) []byte {
				doc := signed(t, k, func(o *samltest.Options) {
					assertionOnly(o)
					o.NameID = "ada@example.com.evil.example"
				})
				if err := samltest.InjectComment(samltest.AssertionOf(doc), len("ada@example.com")); err != nil {
					t.Fatal(err)
				}
				return encodeDoc(t, doc)
			},
			want: ReasonCommentInText,
		},
		{
			name: "comment injected into an AttributeValue",
			build: mutated(assertionOnly, func(t testing.TB, k *keys, doc *etree.Document) {
				av := findPath(samltest.AssertionOf(doc), "AttributeStatement", "Attribute", "AttributeValue")
				text := av.Text()
				av.SetText(text[:3])
				av.CreateComment("x")
				av.CreateText(text[3:])
			}),
			want: ReasonCommentInText,
		},

		// DTDs and entities.
		{
			name: "XXE external entity in NameID",
			build: rawXML(nil, func(s string) string {
				return `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>` +
					strings.Replace(s, testEmail+"<", "&xxe;<", 1)
			}),
			want: ReasonDoctypeForbidden,
		},
		{
			name: "billion laughs",
			build: rawXML(nil, func(s string) string {
				var b strings.Builder
				b.WriteString(`<!DOCTYPE r [<!ENTITY lol0 "lol">`)
				for i := 1; i < 10; i++ {
					fmt.Fprintf(&b, `<!ENTITY lol%d "%s">`, i, strings.Repeat(fmt.Sprintf("&lol%d;", i-1), 10))
				}
				b.WriteString("]>")
				return b.String() + strings.Replace(s, testEmail+"<", "&lol9;<", 1)
			}),
			want: ReasonDoctypeForbidden,
		},
		{
			name: "DOCTYPE parser-differential prologue (CVE-2025-25291)",
			build: rawXML(nil, func(s string) string {
				return `<!DOCTYPE response SYSTEM 'x"><!--'>` + s
			}),
			want: ReasonDoctypeForbidden,
		},
		{
			name: "ID supplied through an entity (CVE-2025-23369)",
			build: rawXML(nil, func(s string) string {
				i := strings.Index(s, `ID="`) + len(`ID="`)
				j := i + strings.Index(s[i:], `"`)
				return `<!DOCTYPE r [<!ENTITY idViaEntity "` + s[i:j] + `">]>` + s[:i] + "&idViaEntity;" + s[j:]
			}),
			want: ReasonDoctypeForbidden,
		},
		{
			name: "DOCTYPE inside a DEFLATE-compressed response",
			build: func(t testing.TB, k *keys) []byte {
				s := `<!DOCTYPE r [<!ENTITY e "x">]>` + serialize(t, signed(t, k, nil))
				return []byte(base64.StdEncoding.EncodeToString(samltest.Deflate([]byte(s))))
			},
			want: ReasonDoctypeForbidden,
		},

		// Signature exclusion.
		{name: "no signature anywhere", build: func(t testing.TB, k *keys) []byte { return encodeDoc(t, signed(t, k, unsigned)) }, want: ReasonSignatureMissing},
		{
			name: "both signatures stripped",
			build: mutated(nil, func(t testing.TB, k *keys, doc *etree.Document) {
				samltest.RemoveSignature(doc.Root())
				samltest.RemoveSignature(samltest.AssertionOf(doc))
			}),
			want: ReasonSignatureMissing,
		},
		{
			name: "signature on the Response that references the Assertion",
			build: resignWith(func(o *samltest.Options) { o.AssertionID = "_target_assertion" }, false, true,
				withKey(idpKey, samltest.SignOptions{ReferenceURI: strptr("#_target_assertion")})),
			want: ReasonReferenceURIMismatch,
		},
		{
			name: "encrypted assertion without any signature",
			build: func(t testing.TB, k *keys) []byte {
				return encodeDoc(t, encryptedDoc(t, k, false, false, samltest.EncryptOptions{}, nil))
			},
			want: ReasonEncryptedAssertionUnsigned,
		},

		// Certificate faking.
		{
			name:  "re-signed with an attacker key, attacker certificate in KeyInfo",
			build: resignWith(nil, true, true, withKey(attackerKey, samltest.SignOptions{})),
			want:  ReasonUnknownCertificate,
			check: func(t *testing.T, r *Rejection, k *keys) {
				if r.Facts.CertificateFingerprint != Fingerprint(k.attacker.Certificate.Raw) {
					t.Errorf("Facts.CertificateFingerprint = %q, want the attacker's", r.Facts.CertificateFingerprint)
				}
			},
		},
		{
			name:  "re-signed with an attacker key, no KeyInfo",
			build: resignWith(nil, true, true, withKey(attackerKey, samltest.SignOptions{OmitKeyInfo: true})),
			want:  ReasonSignatureInvalid,
		},
		{
			name: "re-signed with an attacker key, trusted certificate in KeyInfo",
			build: func(t testing.TB, k *keys) []byte {
				return resignWith(nil, true, true, withKey(attackerKey, samltest.SignOptions{KeyInfoCertificate: k.idp.Certificate}))(t, k)
			},
			want: ReasonSignatureInvalid,
		},
		{
			name:  "re-signed with an attacker key, no KeyInfo, two trusted certificates",
			build: resignWith(nil, true, true, withKey(attackerKey, samltest.SignOptions{OmitKeyInfo: true})),
			trust: func(tr *Trust, k *keys) {
				tr.Certificates = []*x509.Certificate{k.idpOld.Certificate, k.idp.Certificate}
			},
			want: ReasonSignatureInvalid,
		},
		{
			name: "assertion signed by an attacker inside a validly signed Response",
			build: func(t testing.TB, k *keys) []byte {
				doc := signed(t, k, unsigned)
				if _, err := samltest.Sign(samltest.AssertionOf(doc), k.attacker, samltest.SignOptions{}); err != nil {
					t.Fatal(err)
				}
				if _, err := samltest.Sign(doc.Root(), k.idp, samltest.SignOptions{}); err != nil {
					t.Fatal(err)
				}
				return encodeDoc(t, doc)
			},
			want: ReasonUnknownCertificate,
		},
		{
			name: "encrypted assertion signed by an attacker inside a validly signed Response",
			build: func(t testing.TB, k *keys) []byte {
				doc := signed(t, k, unsigned)
				if _, err := samltest.Sign(samltest.AssertionOf(doc), k.attacker, samltest.SignOptions{}); err != nil {
					t.Fatal(err)
				}
				if _, err := samltest.EncryptAssertion(samltest.AssertionOf(doc), k.sp.Certificate, samltest.EncryptOptions{}); err != nil {
					t.Fatal(err)
				}
				if _, err := samltest.Sign(doc.Root(), k.idp, samltest.SignOptions{}); err != nil {
					t.Fatal(err)
				}
				return encodeDoc(t, doc)
			},
			want: ReasonUnknownCertificate,
		},
		{
			name: "KeyInfo certificate is not base64",
			build: mutated(responseOnly, func(t testing.TB, k *keys, doc *etree.Document) {
				findPath(samltest.SignatureOf(doc.Root()), "KeyInfo", "X509Data", "X509Certificate").SetText("!!")
			}),
			want: ReasonUnknownCertificate,
		},
		{
			name:  "signed by a trusted but expired certificate",
			build: resignWith(nil, true, true, withKey(func(k *keys) *samltest.Key { return k.expired }, samltest.SignOptions{})),
			trust: func(tr *Trust, k *keys) {
				tr.Certificates = []*x509.Certificate{k.idp.Certificate, k.expired.Certificate}
			},
			want: ReasonCertificateExpired,
		},
		{
			name:  "no KeyInfo and every trusted certificate expired",
			build: resignWith(nil, true, true, withKey(func(k *keys) *samltest.Key { return k.expired }, samltest.SignOptions{OmitKeyInfo: true})),
			trust: func(tr *Trust, k *keys) { tr.Certificates = []*x509.Certificate{k.expired.Certificate} },
			want:  ReasonCertificateExpired,
		},

		// Reference URI tricks and duplicate IDs.
		{name: "Reference URI empty (whole document)", build: resignWith(nil, false, true, withKey(idpKey, samltest.SignOptions{ReferenceURI: strptr("")})), want: ReasonReferenceURIMismatch},
		{
			name: "Reference URI missing",
			build: mutated(responseOnly, func(t testing.TB, k *keys, doc *etree.Document) {
				editSignedInfo(t, k, doc.Root(), func(si *etree.Element) { samltest.ChildNamed(si, "Reference").RemoveAttr("URI") })
			}),
			want: ReasonReferenceURIMismatch,
		},
		{
			name: "Response ID equals Assertion ID",
			build: func(t testing.TB, k *keys) []byte {
				doc := signed(t, k, func(o *samltest.Options) { o.ResponseID, o.AssertionID = "_same", "_same" })
				return encodeDoc(t, doc)
			},
			want: ReasonDuplicateID,
		},
		{
			name: "element elsewhere carries the assertion's ID",
			build: mutated(assertionOnly, func(t testing.TB, k *keys, doc *etree.Document) {
				ext := etree.NewElement("samlp:Extensions")
				ext.CreateAttr("ID", samltest.AssertionOf(doc).SelectAttrValue("ID", ""))
				doc.Root().InsertChildAt(1, ext)
			}),
			want: ReasonDuplicateID,
		},
		{
			name: "namespace-prefixed ID attribute",
			build: mutated(assertionOnly, func(t testing.TB, k *keys, doc *etree.Document) {
				doc.Root().CreateAttr("saml:ID", "_other")
			}),
			want: ReasonMalformed,
		},

		// Algorithm downgrades.
		{name: "rsa-sha1 signature", build: resignWith(nil, true, true, withKey(idpKey, samltest.SignOptions{SignatureMethod: samltest.AlgRSASHA1})), want: ReasonAlgorithmNotAllowed},
		{name: "sha1 digest", build: resignWith(nil, true, true, withKey(idpKey, samltest.SignOptions{DigestMethod: samltest.AlgSHA1})), want: ReasonAlgorithmNotAllowed},
		{name: "rsa-sha1 with sha1 digest on the assertion only", build: resignWith(nil, true, false, withKey(idpKey, samltest.SignOptions{SignatureMethod: samltest.AlgRSASHA1, DigestMethod: samltest.AlgSHA1})), want: ReasonAlgorithmNotAllowed},
		{
			name: "hmac-sha1 keyed with the public certificate",
			build: func(t testing.TB, k *keys) []byte {
				return resignWith(nil, true, true, withKey(idpKey, samltest.SignOptions{SignatureMethod: samltest.AlgHMACSHA1, HMACKey: k.idp.Certificate.Raw}))(t, k)
			},
			want: ReasonAlgorithmNotAllowed,
		},
		{
			name: "hmac-sha256 keyed with the public certificate",
			build: func(t testing.TB, k *keys) []byte {
				return resignWith(nil, true, false, withKey(idpKey, samltest.SignOptions{SignatureMethod: samltest.AlgHMACSHA256, HMACKey: k.idp.Certificate.Raw}))(t, k)
			},
			want: ReasonAlgorithmNotAllowed,
		},
		{
			name:  "ecdsa-sha1 signature",
			build: resignWith(nil, true, true, withKey(func(k *keys) *samltest.Key { return k.ec }, samltest.SignOptions{SignatureMethod: samltest.AlgECDSASHA1})),
			trust: func(tr *Trust, k *keys) { tr.Certificates = []*x509.Certificate{k.ec.Certificate} },
			want:  ReasonAlgorithmNotAllowed,
		},
		{
			name: "unknown signature method",
			build: mutated(responseOnly, func(t testing.TB, k *keys, doc *etree.Document) {
				samltest.ChildNamed(findPath(samltest.SignatureOf(doc.Root()), "SignedInfo"), "SignatureMethod").
					SelectAttr("Algorithm").Value = "http://www.w3.org/2001/04/xmldsig-more#rsa-md5"
			}),
			want: ReasonAlgorithmNotAllowed,
		},

		// Transforms.
		{name: "XSLT transform", build: resignWith(nil, true, true, withKey(idpKey, samltest.SignOptions{Transforms: []string{samltest.AlgEnveloped, samltest.AlgXSLT}})), want: ReasonTransformNotAllowed},
		{name: "XPath transform", build: resignWith(nil, true, false, withKey(idpKey, samltest.SignOptions{Transforms: []string{samltest.AlgEnveloped, samltest.AlgXPath, samltest.AlgExcC14N}})), want: ReasonTransformNotAllowed},
		{name: "XPath Filter 2.0 transform", build: resignWith(nil, false, true, withKey(idpKey, samltest.SignOptions{Transforms: []string{samltest.AlgXPathFilter2, samltest.AlgExcC14N}})), want: ReasonTransformNotAllowed},
		{name: "canonicalization with comments", build: resignWith(nil, true, true, withKey(idpKey, samltest.SignOptions{Canonicalization: samltest.AlgExcC14NWithComments})), want: ReasonTransformNotAllowed},
		{name: "no enveloped-signature transform", build: resignWith(nil, false, true, withKey(idpKey, samltest.SignOptions{Transforms: []string{samltest.AlgExcC14N}})), want: ReasonTransformNotAllowed},
		{name: "canonicalization listed twice", build: resignWith(nil, false, true, withKey(idpKey, samltest.SignOptions{Transforms: []string{samltest.AlgEnveloped, samltest.AlgExcC14N, samltest.AlgExcC14N}})), want: ReasonTransformNotAllowed},
		{
			name: "XPath parameter inside the canonicalization transform",
			build: mutated(responseOnly, func(t testing.TB, k *keys, doc *etree.Document) {
				editSignedInfo(t, k, doc.Root(), func(si *etree.Element) {
					tr := findPath(si, "Reference", "Transforms").ChildElements()[1]
					tr.CreateElement("ds:XPath").SetText("not(ancestor-or-self::saml:NameID)")
				})
			}),
			want: ReasonTransformNotAllowed,
		},

		// Signature shape.
		{
			name: "ds:Object inside the Response Signature",
			build: mutated(responseOnly, func(t testing.TB, k *keys, doc *etree.Document) {
				samltest.SignatureOf(doc.Root()).CreateElement("ds:Object").SetText("hello")
			}),
			want: ReasonSignatureShapeInvalid,
		},
		{
			name: "second, benign Reference in SignedInfo",
			build: mutated(responseOnly, func(t testing.TB, k *keys, doc *etree.Document) {
				editSignedInfo(t, k, doc.Root(), func(si *etree.Element) {
					si.AddChild(samltest.ChildNamed(si, "Reference").Copy())
				})
			}),
			want: ReasonSignatureShapeInvalid,
		},
		{
			name: "two SignedInfo elements",
			build: mutated(responseOnly, func(t testing.TB, k *keys, doc *etree.Document) {
				sig := samltest.SignatureOf(doc.Root())
				sig.InsertChildAt(0, samltest.ChildNamed(sig, "SignedInfo").Copy())
			}),
			want: ReasonSignatureShapeInvalid,
		},
		{
			name: "SignatureValue removed",
			build: mutated(responseOnly, func(t testing.TB, k *keys, doc *etree.Document) {
				sig := samltest.SignatureOf(doc.Root())
				sig.RemoveChild(samltest.ChildNamed(sig, "SignatureValue"))
			}),
			want: ReasonSignatureShapeInvalid,
		},
		{
			name: "two Signatures on the Response",
			build: mutated(responseOnly, func(t testing.TB, k *keys, doc *etree.Document) {
				sig := samltest.SignatureOf(doc.Root())
				doc.Root().InsertChildAt(sig.Index(), sig.Copy())
			}),
			want: ReasonSignatureShapeInvalid,
		},
		{
			name: "DigestValue of the wrong length",
			build: mutated(responseOnly, func(t testing.TB, k *keys, doc *etree.Document) {
				editSignedInfo(t, k, doc.Root(), func(si *etree.Element) {
					findPath(si, "Reference", "DigestValue").SetText(base64.StdEncoding.EncodeToString(make([]byte, 20)))
				})
			}),
			want: ReasonSignatureShapeInvalid,
		},
		{
			name: "SignatureValue truncated",
			build: mutated(responseOnly, func(t testing.TB, k *keys, doc *etree.Document) {
				sv := samltest.ChildNamed(samltest.SignatureOf(doc.Root()), "SignatureValue")
				sv.SetText(sv.Text()[:40])
			}),
			want: ReasonSignatureInvalid,
		},

		// Audience, recipient, destination, issuer.
		{name: "audience of another SP", build: func(t testing.TB, k *keys) []byte {
			return encodeDoc(t, signed(t, k, func(o *samltest.Options) { o.Audiences = []string{"https://other-sp.example/metadata"} }))
		}, want: ReasonAudienceMismatch, check: func(t *testing.T, r *Rejection, k *keys) {
			if len(r.Facts.Audiences) != 1 || r.Facts.Audiences[0] != "https://other-sp.example/metadata" {
				t.Errorf("Facts.Audiences = %q", r.Facts.Audiences)
			}
			if len(r.Facts.Attributes) == 0 {
				t.Error("Facts.Attributes empty although the assertion verified")
			}
		}},
		{
			name: "second AudienceRestriction names another SP",
			build: mutated(nil, func(t testing.TB, k *keys, doc *etree.Document) {
				cond := findPath(samltest.AssertionOf(doc), "Conditions")
				cond.CreateElement("saml:AudienceRestriction").CreateElement("saml:Audience").SetText("https://other-sp.example")
				resign(t, doc, k.idp)
			}),
			want: ReasonAudienceMismatch,
		},
		{name: "empty AudienceRestriction", build: func(t testing.TB, k *keys) []byte {
			return encodeDoc(t, signed(t, k, func(o *samltest.Options) { o.Audiences = nil }))
		}, want: ReasonAudienceMismatch},
		{
			name: "no Conditions",
			build: mutated(nil, func(t testing.TB, k *keys, doc *etree.Document) {
				a := samltest.AssertionOf(doc)
				a.RemoveChild(findPath(a, "Conditions"))
				resign(t, doc, k.idp)
			}),
			want: ReasonAudienceMismatch,
		},
		{name: "Recipient of another SP", build: func(t testing.TB, k *keys) []byte {
			return encodeDoc(t, signed(t, k, func(o *samltest.Options) { o.Recipient = "https://other-sp.example/acs" }))
		}, want: ReasonRecipientMismatch},
		{name: "Destination of another SP", build: func(t testing.TB, k *keys) []byte {
			return encodeDoc(t, signed(t, k, func(o *samltest.Options) {
				o.Destination, o.Recipient = "https://other-sp.example/acs", testACS
			}))
		}, want: ReasonDestinationMismatch},
		{name: "issuer of another IdP", build: func(t testing.TB, k *keys) []byte {
			idp := testIDP(k.idp)
			idp.EntityID = "https://other-idp.example"
			doc, err := idp.Make(goodOptions())
			if err != nil {
				t.Fatal(err)
			}
			return encodeDoc(t, doc)
		}, want: ReasonIssuerMismatch},
		{
			name: "Response Issuer of another IdP",
			build: mutated(nil, func(t testing.TB, k *keys, doc *etree.Document) {
				samltest.ChildNamed(doc.Root(), "Issuer").SetText("https://other-idp.example")
				resign(t, doc, k.idp)
			}),
			want: ReasonIssuerMismatch,
		},
		{
			name: "Assertion without Issuer",
			build: mutated(nil, func(t testing.TB, k *keys, doc *etree.Document) {
				a := samltest.AssertionOf(doc)
				a.RemoveChild(samltest.ChildNamed(a, "Issuer"))
				resign(t, doc, k.idp)
			}),
			want: ReasonIssuerMismatch,
		},

		// Time.
		{name: "expired assertion", build: func(t testing.TB, k *keys) []byte { return encodeDoc(t, signed(t, k, nil)) },
			trust: func(tr *Trust, k *keys) { tr.Now = testNow.Add(10 * time.Minute) }, want: ReasonExpired},
		{
			name: "bearer confirmation expired, Conditions still valid",
			build: mutated(nil, func(t testing.TB, k *keys, doc *etree.Document) {
				scd := findPath(samltest.AssertionOf(doc), "Subject", "SubjectConfirmation", "SubjectConfirmationData")
				scd.SelectAttr("NotOnOrAfter").Value = samltest.Time(testNow.Add(-2 * time.Minute))
				resign(t, doc, k.idp)
			}),
			want: ReasonExpired,
		},
		{name: "not yet valid", build: func(t testing.TB, k *keys) []byte { return encodeDoc(t, signed(t, k, nil)) },
			trust: func(tr *Trust, k *keys) { tr.Now = testNow.Add(-3 * time.Minute) }, want: ReasonNotYetValid},
		{
			name: "IssueInstant in the future",
			build: mutated(nil, func(t testing.TB, k *keys, doc *etree.Document) {
				samltest.AssertionOf(doc).SelectAttr("IssueInstant").Value = samltest.Time(testNow.Add(10 * time.Minute))
				resign(t, doc, k.idp)
			}),
			want: ReasonNotYetValid,
		},

		// Subject.
		{
			name: "holder-of-key confirmation only",
			build: mutated(nil, func(t testing.TB, k *keys, doc *etree.Document) {
				findPath(samltest.AssertionOf(doc), "Subject", "SubjectConfirmation").SelectAttr("Method").Value =
					"urn:oasis:names:tc:SAML:2.0:cm:holder-of-key"
				resign(t, doc, k.idp)
			}),
			want: ReasonMissingBearerConfirmation,
		},
		{
			name: "bearer confirmation without NotOnOrAfter",
			build: mutated(nil, func(t testing.TB, k *keys, doc *etree.Document) {
				findPath(samltest.AssertionOf(doc), "Subject", "SubjectConfirmation", "SubjectConfirmationData").RemoveAttr("NotOnOrAfter")
				resign(t, doc, k.idp)
			}),
			want: ReasonMissingBearerConfirmation,
		},
		{
			name: "no NameID",
			build: mutated(nil, func(t testing.TB, k *keys, doc *etree.Document) {
				s := findPath(samltest.AssertionOf(doc), "Subject")
				s.RemoveChild(samltest.ChildNamed(s, "NameID"))
				resign(t, doc, k.idp)
			}),
			want: ReasonMissingNameID,
		},
		{name: "empty NameID", build: func(t testing.TB, k *keys) []byte {
			return encodeDoc(t, signed(t, k, func(o *samltest.Options) { o.NameID = "" }))
		}, want: ReasonMissingNameID},
		{
			name: "InResponseTo of the confirmation differs from the Response",
			build: mutated(nil, func(t testing.TB, k *keys, doc *etree.Document) {
				findPath(samltest.AssertionOf(doc), "Subject", "SubjectConfirmation", "SubjectConfirmationData").
					SelectAttr("InResponseTo").Value = "_another_users_request"
				resign(t, doc, k.idp)
			}),
			want: ReasonInResponseToMismatch,
		},

		// Encryption.
		{
			name: "RSA PKCS#1 v1.5 key transport",
			build: func(t testing.TB, k *keys) []byte {
				return encodeDoc(t, encryptedDoc(t, k, true, true, samltest.EncryptOptions{KeyTransport: samltest.AlgRSA15}, nil))
			},
			want: ReasonDecryptionFailed,
		},
		{
			name: "encrypted to a key the connection does not hold",
			build: func(t testing.TB, k *keys) []byte {
				return encodeDoc(t, encryptedDoc(t, k, true, false, samltest.EncryptOptions{}, k.sp2))
			},
			want: ReasonDecryptionFailed,
		},
		{
			name: "tampered AES-GCM ciphertext",
			build: func(t testing.TB, k *keys) []byte {
				doc := encryptedDoc(t, k, true, false, samltest.EncryptOptions{}, nil)
				flipBit(t, cipherValueOf(doc), 40)
				return encodeDoc(t, doc)
			},
			want: ReasonDecryptionFailed,
		},
		{
			name: "AES-CBC padding oracle probe (last block flipped, unsigned Response)",
			build: func(t testing.TB, k *keys) []byte {
				doc := encryptedDoc(t, k, true, false, samltest.EncryptOptions{Cipher: samltest.AlgAES128CBC}, nil)
				cv := cipherValueOf(doc)
				ct, _ := base64.StdEncoding.DecodeString(cv.Text())
				flipBit(t, cv, len(ct)-17) // last byte of the second-to-last block: the padding byte
				return encodeDoc(t, doc)
			},
			want: ReasonDecryptionFailed,
		},
		{
			name: "AES-CBC ciphertext that decrypts to garbage (unsigned Response)",
			build: func(t testing.TB, k *keys) []byte {
				doc := encryptedDoc(t, k, true, false, samltest.EncryptOptions{Cipher: samltest.AlgAES128CBC}, nil)
				flipBit(t, cipherValueOf(doc), 3) // IV byte: first plaintext block changes
				return encodeDoc(t, doc)
			},
			want: ReasonDecryptionFailed,
		},
		{
			name: "plaintext is not XML, unsigned Response",
			build: func(t testing.TB, k *keys) []byte {
				doc := encryptedDoc(t, k, true, false, samltest.EncryptOptions{}, nil)
				replaceEncryptedPlaintext(t, k, doc, []byte("not xml at all"))
				return encodeDoc(t, doc)
			},
			want: ReasonDecryptionFailed,
		},
		{
			name: "plaintext with two assertions, unsigned Response",
			build: func(t testing.TB, k *keys) []byte {
				doc := encryptedDoc(t, k, true, false, samltest.EncryptOptions{}, nil)
				replaceEncryptedPlaintext(t, k, doc, []byte(`<saml:Assertion xmlns:saml="`+samltest.NSAssertion+`" ID="_a" Version="2.0"><saml:Advice><saml:Assertion ID="_b"/></saml:Advice></saml:Assertion>`))
				return encodeDoc(t, doc)
			},
			want: ReasonDecryptionFailed,
		},
		{
			name: "plaintext with two assertions, signed Response",
			build: func(t testing.TB, k *keys) []byte {
				doc := encryptedDoc(t, k, true, false, samltest.EncryptOptions{}, nil)
				replaceEncryptedPlaintext(t, k, doc, []byte(`<saml:Assertion xmlns:saml="`+samltest.NSAssertion+`" ID="_a" Version="2.0"><saml:Advice><saml:Assertion ID="_b"/></saml:Advice></saml:Assertion>`))
				if _, err := samltest.Sign(doc.Root(), k.idp, samltest.SignOptions{}); err != nil {
					t.Fatal(err)
				}
				return encodeDoc(t, doc)
			},
			want: ReasonMultipleAssertions,
		},
		{
			name: "plaintext with a DOCTYPE, signed Response",
			build: func(t testing.TB, k *keys) []byte {
				doc := encryptedDoc(t, k, false, false, samltest.EncryptOptions{}, nil)
				replaceEncryptedPlaintext(t, k, doc, []byte(`<!DOCTYPE a [<!ENTITY e "x">]><saml:Assertion xmlns:saml="`+samltest.NSAssertion+`"/>`))
				if _, err := samltest.Sign(doc.Root(), k.idp, samltest.SignOptions{}); err != nil {
					t.Fatal(err)
				}
				return encodeDoc(t, doc)
			},
			want: ReasonDoctypeForbidden,
		},
		{
			name: "encrypted assertion signed by an attacker, unsigned Response",
			build: func(t testing.TB, k *keys) []byte {
				idp := testIDP(k.attacker)
				o := goodOptions()
				o.SignResponse = false
				o.EncryptTo = &samltest.EncryptionTarget{Certificate: k.sp.Certificate}
				return encodeDoc(t, makeDoc(t, idp, o))
			},
			want: ReasonDecryptionFailed,
		},
		{
			name: "triple-DES content encryption",
			build: mutated(assertionOnly, func(t testing.TB, k *keys, doc *etree.Document) {
				a := samltest.AssertionOf(doc)
				enc, err := samltest.EncryptAssertion(a, k.sp.Certificate, samltest.EncryptOptions{})
				if err != nil {
					t.Fatal(err)
				}
				findPath(enc, "EncryptedData", "EncryptionMethod").SelectAttr("Algorithm").Value = samltest.AlgTripleDES
			}),
			want: ReasonDecryptionFailed,
		},
		{
			name: "encrypted but the connection has no encryption key",
			build: func(t testing.TB, k *keys) []byte {
				return encodeDoc(t, encryptedDoc(t, k, true, true, samltest.EncryptOptions{}, nil))
			},
			trust: func(tr *Trust, k *keys) { tr.DecryptionKeys = nil },
			want:  ReasonDecryptionFailed,
		},

		// Resource exhaustion and encoding.
		{name: "deflate bomb", build: func(t testing.TB, k *keys) []byte { return deflateBomb(t, 64<<20) }, want: ReasonTooLarge},
		{name: "oversized form value", build: func(t testing.TB, k *keys) []byte {
			return bytes.Repeat([]byte("PHg+"), MaxResponseSize/4+1)
		}, want: ReasonTooLarge},
		{name: "deep nesting", build: rawXML(nil, func(s string) string {
			return strings.Replace(s, "</samlp:Status>", "</samlp:Status>"+
				"<samlp:Extensions>"+strings.Repeat("<x>", 100)+strings.Repeat("</x>", 100)+"</samlp:Extensions>", 1)
		}), want: ReasonTooLarge},
		{name: "too many elements", build: rawXML(nil, func(s string) string {
			return strings.Replace(s, "</samlp:Status>", "</samlp:Status><samlp:Extensions>"+strings.Repeat("<x/>", 10001)+"</samlp:Extensions>", 1)
		}), want: ReasonTooLarge},
		{name: "too many attributes", build: rawXML(nil, func(s string) string {
			var b strings.Builder
			for i := range 65 {
				fmt.Fprintf(&b, ` a%d="v"`, i)
			}
			return strings.Replace(s, "<samlp:Status>", "<samlp:Status"+b.String()+">", 1)
		}), want: ReasonTooLarge},
		{name: "too many namespace prefixes in scope", build: rawXML(nil, func(s string) string {
			var b strings.Builder
			for i := range 70 {
				fmt.Fprintf(&b, ` xmlns:p%d="urn:p%d"`, i, i)
			}
			return strings.Replace(s, "<samlp:Status>", "<samlp:Status"+b.String()+">", 1)
		}), want: ReasonTooLarge},
		{name: "round-trip unstable element name", build: rawXML(nil, func(s string) string {
			return strings.Replace(s, "</samlp:Status>", "</samlp:Status><samlp:Extensions><saml:-/></samlp:Extensions>", 1)
		}), want: ReasonUnstableXML},
		{name: "round-trip unstable empty CDATA in NameID", build: rawXML(assertionOnly, func(s string) string {
			return strings.Replace(s, testEmail+"<", testEmail+"<![CDATA[]]><", 1)
		}), want: ReasonUnstableXML},
		{name: "not base64", build: func(t testing.TB, k *keys) []byte { return []byte("this is *not* base64!") }, want: ReasonMalformed},
		{name: "empty value", build: func(t testing.TB, k *keys) []byte { return []byte(" \r\n") }, want: ReasonMissingResponse},
		{name: "not UTF-8", build: rawXML(nil, func(s string) string {
			return strings.Replace(s, testEmail, "ada\xff@example.com", 1)
		}), want: ReasonMalformed},
		{name: "declared Latin-1 encoding", build: rawXML(nil, func(s string) string {
			return `<?xml version="1.0" encoding="ISO-8859-1"?>` + s
		}), want: ReasonMalformed},
		{name: "processing instruction", build: rawXML(nil, func(s string) string {
			return strings.Replace(s, "<samlp:Status>", "<?evil stuff?><samlp:Status>", 1)
		}), want: ReasonMalformed},
		{name: "undeclared namespace prefix", build: rawXML(nil, func(s string) string {
			return strings.Replace(s, "<samlp:Status>", "<samlp:Status><q:x/>", 1)
		}), want: ReasonMalformed},
		{name: "repeated attribute", build: rawXML(nil, func(s string) string {
			return strings.Replace(s, `Version="2.0"`, `Version="2.0" Version="2.0"`, 1)
		}), want: ReasonMalformed},
		{name: "control character in a namespace URI (CVE-2025-25292)", build: rawXML(nil, func(s string) string {
			return strings.Replace(s, "<samlp:Status>", `<samlp:Status xmlns:example="http://example.com&#x80;">`, 1)
		}), want: ReasonMalformed},
		{name: "text outside the root", build: rawXML(nil, func(s string) string { return s + "trailing" }), want: ReasonMalformed},
		{name: "two root elements", build: rawXML(nil, func(s string) string { return s + s }), want: ReasonMalformed},

		// Not a successful Response.
		{name: "IdP reports an error status", build: func(t testing.TB, k *keys) []byte {
			return encodeDoc(t, signed(t, k, func(o *samltest.Options) { o.StatusCode = samltest.StatusRequester }))
		}, want: ReasonStatusNotSuccess},
		{name: "Response Version 1.1", build: mutated(nil, func(t testing.TB, k *keys, doc *etree.Document) {
			doc.Root().SelectAttr("Version").Value = "1.1"
		}), want: ReasonMalformed},
		{name: "AuthnRequest instead of a Response", build: func(t testing.TB, k *keys) []byte {
			return encodeXML(`<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_r" Version="2.0"/>`)
		}, want: ReasonNotAResponse},
		{name: "bare Assertion as root", build: func(t testing.TB, k *keys) []byte {
			doc := signed(t, k, assertionOnly)
			a := samltest.AssertionOf(doc)
			a.CreateAttr("xmlns:saml", samltest.NSAssertion)
			d := etree.NewDocument()
			d.SetRoot(a)
			return encodeDoc(t, d)
		}, want: ReasonNotAResponse},
		{name: "Response in the assertion namespace", build: rawXML(nil, func(s string) string {
			return strings.Replace(strings.Replace(s, "<samlp:Response", "<saml:Response", 1), "</samlp:Response>", "</saml:Response>", 1)
		}), want: ReasonNotAResponse},
		{name: "two Status elements", build: rawXML(nil, func(s string) string {
			return strings.Replace(s, "</samlp:Status>", "</samlp:Status><samlp:Status/>", 1)
		}), want: ReasonMalformed},
	}
}

func TestVerifyRejectsAttacks(t *testing.T) {
	k := mustKeys(t)
	for _, tc := range attacks() {
		t.Run(tc.name, func(t *testing.T) {
			tr := testTrust(k)
			if tc.trust != nil {
				tc.trust(&tr, k)
			}
			in := tc.build(t, k)
			rej := expectReason(t, in, tr, tc.want)
			if strings.Contains(rej.Detail, "<") || strings.Contains(rej.Error(), "<saml") {
				t.Errorf("detail leaks markup: %q", rej.Detail)
			}
			if rej.Reason.ErrorType() == "" {
				t.Error("no error type")
			}
			if tc.check != nil {
				tc.check(t, rej, k)
			}
		})
	}
}

// TestLegacySHA1OptInRefusesTheSameAttacks runs the whole must-reject suite
// on a connection that opted in to rsa-sha1: the opt-in widens the algorithm
// allow-list and nothing else. Only the three vectors that are exactly
// "SHA-1 where SHA-256 is required" become acceptable; ecdsa-sha1 and HMAC
// stay refused.
func TestLegacySHA1OptInRefusesTheSameAttacks(t *testing.T) {
	k := mustKeys(t)
	nowAllowed := map[string]bool{
		"rsa-sha1 signature": true,
		"sha1 digest":        true,
		"rsa-sha1 with sha1 digest on the assertion only": true,
	}
	for _, tc := range attacks() {
		t.Run(tc.name, func(t *testing.T) {
			tr := testTrust(k)
			if tc.trust != nil {
				tc.trust(&tr, k)
			}
			tr.Algorithms.LegacyRSASHA1 = true
			in := tc.build(t, k)
			if nowAllowed[tc.name] {
				if _, err := VerifyResponse(in, tr); err != nil {
					t.Fatalf("with the opt-in, %s is refused: %v", tc.name, err)
				}
				return
			}
			expectReason(t, in, tr, tc.want)
		})
	}
}

func TestIsReferenceID(t *testing.T) {
	for _, tc := range []struct {
		id   string
		want bool
	}{
		{"_a1b2", true},
		{"0f8fad5b-d9cb-469f-a165-70867728950e", true},
		{"id.with.dots", true},
		{"", false},
		{"has space", false},
		{"quote\"", false},
		{"hash#", false},
		{"colon:id", false},
		{"ünïcode", false},
		{strings.Repeat("a", 256), true},
		{strings.Repeat("a", 257), false},
	} {
		if got := isReferenceID(tc.id); got != tc.want {
			t.Errorf("isReferenceID(%q) = %v, want %v", tc.id, got, tc.want)
		}
	}
}

func flipBit(t testing.TB, cv *etree.Element, at int) {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(cv.Text())
	if err != nil || at >= len(b) {
		t.Fatalf("cipher value: %v", err)
	}
	b[at] ^= 0x01
	cv.SetText(base64.StdEncoding.EncodeToString(b))
}

// deflateBomb compresses n bytes of '<' without holding them in memory.
func deflateBomb(t testing.TB, n int) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := flate.NewWriter(&buf, flate.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	chunk := bytes.Repeat([]byte("<"), 1<<16)
	for written := 0; written < n; written += len(chunk) {
		if _, err := w.Write(chunk); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return []byte(base64.StdEncoding.EncodeToString(buf.Bytes()))
}

// TestAttackVectorsCarryValidSignatures shows that the vectors are real: in
// each, some element still carries a signature that goxmldsig on its own
// (no Seam checks, SHA-1 allowed, any Reference) accepts. Only Seam's rules
// stand between these documents and a login.
func TestAttackVectorsCarryValidSignatures(t *testing.T) {
	k := mustKeys(t)
	validlySigned := map[string]bool{
		"XSW3 evil assertion before the signed one":                                       true,
		"XSW4 signed assertion inside the evil one":                                       true,
		"XSW7 evil assertion inside Extensions":                                           true,
		"XSW3 on a doubly signed response":                                                true,
		"second unsigned assertion after the signed one (CVE-2022-41912)":                 true,
		"comment injected into NameID":                                                    true,
		"comment injected into an AttributeValue":                                         true,
		"only assertion moved into Extensions":                                            true,
		"rsa-sha1 signature":                                                              true,
		"sha1 digest":                                                                     true,
		"rsa-sha1 with sha1 digest on the assertion only":                                 true,
		"Reference URI empty (whole document)":                                            true,
		"Response ID equals Assertion ID":                                                 true,
		"element elsewhere carries the assertion's ID":                                    true,
		"forged Signature planted in StatusDetail (CVE-2024-45409, CVE-2025-25292 shape)": true,
		"audience of another SP":                                                          true,
		"Recipient of another SP":                                                         true,
		"Destination of another SP":                                                       true,
		"issuer of another IdP":                                                           true,
		"expired assertion":                                                               true,
		"not yet valid":                                                                   true,
		"holder-of-key confirmation only":                                                 true,
		"no NameID":                                                                       true,
		"InResponseTo of the confirmation differs from the Response":                      true,
		"IdP reports an error status":                                                     true,
		"ds:Object without an assertion inside the Signature":                             true,
		"second, benign Reference in SignedInfo":                                          true,
	}
	seen := 0
	for _, tc := range attacks() {
		if !validlySigned[tc.name] {
			continue
		}
		seen++
		t.Run(tc.name, func(t *testing.T) {
			raw, err := base64.StdEncoding.DecodeString(string(tc.build(t, k)))
			if err != nil {
				t.Fatal(err)
			}
			doc := etree.NewDocument()
			if err := doc.ReadFromBytes(raw); err != nil {
				t.Fatal(err)
			}
			var candidates []*etree.Element
			var walk func(*etree.Element)
			walk = func(el *etree.Element) {
				if (el.Tag == "Response" || el.Tag == "Assertion") && samltest.SignatureOf(el) != nil {
					candidates = append(candidates, el)
				}
				for _, c := range el.ChildElements() {
					walk(c)
				}
			}
			walk(doc.Root())
			for _, el := range candidates {
				if plainGoxmldsigAccepts(el, k.idp.Certificate) {
					return
				}
			}
			t.Errorf("no element of the vector carries a signature goxmldsig accepts (%d candidates)", len(candidates))
		})
	}
	if seen != len(validlySigned) {
		t.Errorf("%d of %d named vectors exist", seen, len(validlySigned))
	}
}

func plainGoxmldsigAccepts(el *etree.Element, cert *x509.Certificate) bool {
	ctx, err := etreeutils.NSBuildParentContext(el)
	if err != nil {
		return false
	}
	d, err := etreeutils.NSDetatch(ctx, el)
	if err != nil {
		return false
	}
	vc := dsig.NewDefaultValidationContext(&dsig.MemoryX509CertificateStore{Roots: []*x509.Certificate{cert}})
	vc.Clock = dsig.NewFakeClockAt(testNow)
	_, err = vc.Validate(d)
	return err == nil
}
