package saml

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	crewjam "github.com/crewjam/saml"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/seamsso/seam/internal/saml/samltest"
)

// benchResponse builds a response of about size bytes of XML: goodOptions
// (both signatures unless mut says otherwise) padded with attributes.
func benchResponse(b *testing.B, k *keys, size int, mut func(*samltest.Options)) (encoded []byte, xmlLen int) {
	b.Helper()
	for pad := 0; ; pad++ {
		o := goodOptions()
		if mut != nil {
			mut(&o)
		}
		for i := range pad {
			o.Attributes = append(o.Attributes, samltest.Attribute{Name: fmt.Sprintf("custom-attribute-%02d", i), Values: []string{"value"}})
		}
		doc := makeDoc(b, testIDP(k.idp), o)
		raw, err := samltest.Serialize(doc)
		if err != nil {
			b.Fatal(err)
		}
		if len(raw) >= size || pad > 200 {
			return []byte(base64.StdEncoding.EncodeToString(raw)), len(raw)
		}
	}
}

// BenchmarkVerifyResponse measures VerifyResponse on a 5 KB response (and
// variants), and crewjam/saml's ServiceProvider on the identical bytes in the
// same run for comparison.
func BenchmarkVerifyResponse(b *testing.B) {
	k := mustKeys(b)
	variants := []struct {
		name string
		mut  func(*samltest.Options)
	}{
		{"both-signed", nil},
		{"response-signed", responseOnly},
		{"assertion-signed", assertionOnly},
		{"encrypted-cbc", func(o *samltest.Options) {
			o.EncryptTo = &samltest.EncryptionTarget{Certificate: k.sp.Certificate,
				Options: samltest.EncryptOptions{Cipher: samltest.AlgAES128CBC}}
		}},
		{"encrypted-gcm", func(o *samltest.Options) {
			o.EncryptTo = &samltest.EncryptionTarget{Certificate: k.sp.Certificate}
		}},
	}
	for _, v := range variants {
		body, xmlLen := benchResponse(b, k, 5000, v.mut)
		tr := testTrust(k)
		b.Run(v.name, func(b *testing.B) {
			mustVerify(b, body, tr)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := VerifyResponse(body, tr); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(xmlLen), "xml-bytes")
		})
		if v.name == "encrypted-gcm" {
			continue // crewjam/saml v0.5.1 cannot decrypt standard AES-GCM
		}
		b.Run(v.name+"/crewjam", func(b *testing.B) {
			sp, acs := crewjamSP(b, k)
			raw, _ := base64.StdEncoding.DecodeString(string(body))
			prevNow, prevClock := crewjam.TimeNow, crewjam.Clock
			crewjam.TimeNow = func() time.Time { return tr.Now }
			crewjam.Clock = dsig.NewFakeClockAt(tr.Now)
			b.Cleanup(func() { crewjam.TimeNow, crewjam.Clock = prevNow, prevClock })
			if _, err := sp.ParseXMLResponse(raw, []string{testRequestID}, acs); err != nil {
				b.Fatalf("crewjam rejects the benchmark response: %v", err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := sp.ParseXMLResponse(raw, []string{testRequestID}, acs); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func crewjamSP(b *testing.B, k *keys) (*crewjam.ServiceProvider, url.URL) {
	b.Helper()
	acs, _ := url.Parse(testACS)
	return &crewjam.ServiceProvider{
		EntityID: testAudience,
		Key:      k.sp.RSA(),
		AcsURL:   *acs,
		IDPMetadata: &crewjam.EntityDescriptor{
			EntityID: testIDPEntityID,
			IDPSSODescriptors: []crewjam.IDPSSODescriptor{{
				SSODescriptor: crewjam.SSODescriptor{RoleDescriptor: crewjam.RoleDescriptor{
					KeyDescriptors: []crewjam.KeyDescriptor{{
						Use: "signing",
						KeyInfo: crewjam.KeyInfo{X509Data: crewjam.X509Data{X509Certificates: []crewjam.X509Certificate{
							{Data: base64.StdEncoding.EncodeToString(k.idp.Certificate.Raw)},
						}}},
					}},
				}},
			}},
		},
	}, *acs
}

// BenchmarkVerifyHostile measures the worst inputs within the limits: what
// one unauthenticated POST to the ACS can cost.
func BenchmarkVerifyHostile(b *testing.B) {
	k := mustKeys(b)
	tr := testTrust(k)
	signedXML := func(mut func(*samltest.Options)) string {
		raw, err := samltest.Serialize(signed(b, k, mut))
		if err != nil {
			b.Fatal(err)
		}
		return string(raw)
	}
	// filler returns n bytes of elements inside samlp:Extensions.
	filler := func(n int) string {
		var sb strings.Builder
		sb.WriteString("<samlp:Extensions>")
		for sb.Len() < n {
			sb.WriteString(`<x a="aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">text</x>`)
		}
		sb.WriteString("</samlp:Extensions>")
		return sb.String()
	}
	inputs := []struct {
		name string
		in   []byte
		want Reason
	}{
		{
			// A captured, validly signed SignedInfo on 1 MiB of junk: the RSA
			// check passes, so the whole document is canonicalized and
			// digested before the mismatch is found.
			name: "replayed-signature-over-1MiB",
			in: encodeXML(strings.Replace(signedXML(responseOnly), "</samlp:Status>",
				"</samlp:Status>"+filler(700_000), 1)),
			want: ReasonSignatureInvalid,
		},
		{
			name: "7000-elements-unsigned",
			in:   encodeXML(strings.Replace(signedXML(unsigned), "</samlp:Status>", "</samlp:Status>"+filler(700_000), 1)),
			want: ReasonSignatureMissing,
		},
		{
			name: "cdata-token-flood",
			in:   encodeXML("<r>" + strings.Repeat("<![CDATA[x]]>", 60000) + "</r>"),
			want: ReasonTooLarge,
		},
		{
			name: "deflate-bomb",
			in:   deflateBomb(b, 64<<20),
			want: ReasonTooLarge,
		},
		{
			name: "encrypted-4-keys-none-ours",
			in: func() []byte {
				doc := encryptedDoc(b, k, true, false, samltest.EncryptOptions{}, k.sp2)
				ed := findPath(samltest.ChildNamed(doc.Root(), "EncryptedAssertion"), "EncryptedData", "KeyInfo")
				ek := samltest.ChildNamed(ed, "EncryptedKey")
				for range 3 {
					ed.AddChild(ek.Copy())
				}
				return encodeDoc(b, doc)
			}(),
			want: ReasonDecryptionFailed,
		},
	}
	for _, in := range inputs {
		b.Run(in.name, func(b *testing.B) {
			expectReason(b, in.in, tr, in.want)
			b.ReportAllocs()
			for b.Loop() {
				_, _ = VerifyResponse(in.in, tr)
			}
			b.ReportMetric(float64(len(in.in)), "input-bytes")
		})
	}
}
