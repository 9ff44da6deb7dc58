package samltest

// These tests check the test IdP against verifiers written by others, so the
// saml package's tests do not rest on a signer and a verifier that could be
// wrong in the same way.

import (
	"crypto/x509"
	"encoding/base64"
	"errors"
	"net/url"
	"testing"
	"time"

	"github.com/beevik/etree"
	crewjam "github.com/crewjam/saml"
	dsig "github.com/russellhaering/goxmldsig"
	"github.com/russellhaering/goxmldsig/etreeutils"
)

var now = time.Date(2031, 3, 4, 5, 6, 7, 0, time.UTC)

const (
	entityID = "https://idp.example.com/metadata"
	acs      = "https://sp.example.com/acs"
	audience = "https://sp.example.com/metadata"
)

func newIdP(t *testing.T) *IdP {
	t.Helper()
	k, err := NewRSAKey(2048, "idp", now.Add(-time.Hour), now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	return &IdP{EntityID: entityID, Key: k}
}

func options() Options {
	return Options{
		ResponseOptions: ResponseOptions{
			Now: now, InResponseTo: "_req", Destination: acs, Audiences: []string{audience},
			NameID: "ada@example.com", Attributes: []Attribute{{Name: "email", Values: []string{"ada@example.com"}}},
		},
		SignResponse: true, SignAssertion: true,
	}
}

// TestSignaturesVerifyWithGoxmldsig runs goxmldsig's own validator over
// every canonicalization and algorithm the signer offers.
func TestSignaturesVerifyWithGoxmldsig(t *testing.T) {
	idp := newIdP(t)
	for _, so := range []SignOptions{
		{},
		{Canonicalization: AlgC14N11},
		{Canonicalization: AlgC14N10},
		{SignatureMethod: AlgRSASHA512, DigestMethod: AlgSHA512},
		{OmitKeyInfo: true},
	} {
		o := options()
		o.Sign = so
		doc, err := idp.Make(o)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := Serialize(doc)
		if err != nil {
			t.Fatal(err)
		}
		parsed := etree.NewDocument()
		if err := parsed.ReadFromBytes(raw); err != nil {
			t.Fatal(err)
		}
		for _, el := range []*etree.Element{parsed.Root(), ChildNamed(parsed.Root(), "Assertion")} {
			ctx, err := etreeutils.NSBuildParentContext(el)
			if err != nil {
				t.Fatal(err)
			}
			d, err := etreeutils.NSDetatch(ctx, el)
			if err != nil {
				t.Fatal(err)
			}
			vc := dsig.NewDefaultValidationContext(&dsig.MemoryX509CertificateStore{Roots: []*x509.Certificate{idp.Key.Certificate}})
			vc.Clock = dsig.NewFakeClockAt(now)
			if _, err := vc.Validate(d); err != nil {
				t.Errorf("%+v: goxmldsig rejects the %s signature: %v", so, el.Tag, err)
			}
		}
	}
}

// TestCrewjamServiceProviderAccepts has crewjam/saml's SP verify (and
// decrypt) responses built here.
func TestCrewjamServiceProviderAccepts(t *testing.T) {
	idp := newIdP(t)
	spKey, err := NewRSAKey(2048, "sp", now.Add(-time.Hour), now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	prevNow, prevClock := crewjam.TimeNow, crewjam.Clock
	crewjam.TimeNow = func() time.Time { return now.Add(time.Second) }
	crewjam.Clock = dsig.NewFakeClockAt(now.Add(time.Second))
	t.Cleanup(func() { crewjam.TimeNow, crewjam.Clock = prevNow, prevClock })

	acsURL, _ := url.Parse(acs)
	sp := &crewjam.ServiceProvider{
		EntityID: audience, Key: spKey.RSA(), AcsURL: *acsURL,
		IDPMetadata: &crewjam.EntityDescriptor{
			EntityID: entityID,
			IDPSSODescriptors: []crewjam.IDPSSODescriptor{{SSODescriptor: crewjam.SSODescriptor{RoleDescriptor: crewjam.RoleDescriptor{
				KeyDescriptors: []crewjam.KeyDescriptor{{Use: "signing", KeyInfo: crewjam.KeyInfo{X509Data: crewjam.X509Data{
					X509Certificates: []crewjam.X509Certificate{{Data: base64.StdEncoding.EncodeToString(idp.Key.Certificate.Raw)}},
				}}}},
			}}}},
		},
	}
	cases := map[string]func(*Options){
		"both signed":    nil,
		"response only":  func(o *Options) { o.SignAssertion = false },
		"assertion only": func(o *Options) { o.SignResponse = false },
		"encrypted AES-128-CBC": func(o *Options) {
			o.EncryptTo = &EncryptionTarget{Certificate: spKey.Certificate, Options: EncryptOptions{Cipher: AlgAES128CBC, OAEPDigest: AlgSHA1}}
		},
	}
	for name, mut := range cases {
		t.Run(name, func(t *testing.T) {
			o := options()
			if mut != nil {
				mut(&o)
			}
			doc, err := idp.Make(o)
			if err != nil {
				t.Fatal(err)
			}
			raw, err := Serialize(doc)
			if err != nil {
				t.Fatal(err)
			}
			a, err := sp.ParseXMLResponse(raw, []string{"_req"}, *acsURL)
			if err != nil {
				var ire *crewjam.InvalidResponseError
				if errors.As(err, &ire) {
					t.Fatalf("crewjam: %v", ire.PrivateErr)
				}
				t.Fatalf("crewjam: %v", err)
			}
			if a.Subject.NameID.Value != "ada@example.com" {
				t.Errorf("NameID %q", a.Subject.NameID.Value)
			}
		})
	}
}
