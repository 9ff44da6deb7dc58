package saml

import (
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/beevik/etree"

	"github.com/seamsso/seam/internal/saml/samltest"
)

const (
	testIDPEntityID = "https://idp.example.com/saml/metadata"
	testACS         = "https://seam.example.com/v1/b2b/sso/callback/saml-connection-test-51861cbc-d3b9-428b-9761-227f5fb12be9"
	testAudience    = testACS
	testAltACS      = "https://auth.example.org/v1/b2b/sso/callback/saml-connection-test-51861cbc-d3b9-428b-9761-227f5fb12be9"
	testAltAudience = "https://auth.example.org/saml/sp"
	testRequestID   = "_0123456789abcdef0123456789abcdef01234567"
	testEmail       = "ada@example.com"
)

// testNow is the injected clock of every vector; keys are valid around it.
var testNow = time.Date(2031, 3, 4, 5, 6, 7, 0, time.UTC)

type keys struct {
	idp      *samltest.Key // the IdP's current signing key (RSA 2048)
	idpOld   *samltest.Key // the IdP's previous key, still trusted during rotation
	attacker *samltest.Key // a key nobody trusts
	ec       *samltest.Key // an ECDSA P-256 IdP key
	expired  *samltest.Key // trusted, but its certificate has expired
	sp       *samltest.Key // the SP's encryption key (RSA 2048)
	sp2      *samltest.Key // a second SP encryption key
}

// Keys are generated once per test binary: fresh every run, never on disk,
// and their certificates are valid around testNow.
var testKeys = sync.OnceValues(func() (*keys, error) {
	nb, na := testNow.Add(-24*time.Hour), testNow.Add(365*24*time.Hour)
	var k keys
	var errs []error
	mk := func(cn string, nb, na time.Time) *samltest.Key {
		key, err := samltest.NewRSAKey(2048, cn, nb, na)
		errs = append(errs, err)
		return key
	}
	k.idp = mk("idp", nb, na)
	k.idpOld = mk("idp-old", nb.Add(-365*24*time.Hour), na)
	k.attacker = mk("idp", nb, na) // same subject as the real one
	k.expired = mk("idp-expired", testNow.Add(-400*24*time.Hour), testNow.Add(-time.Hour))
	k.sp = mk("sp-encryption", nb, na)
	k.sp2 = mk("sp-encryption-2", nb, na)
	ec, err := samltest.NewECDSAKey(elliptic.P256(), "idp-ec", nb, na)
	errs = append(errs, err)
	k.ec = ec
	return &k, errors.Join(errs...)
})

func mustKeys(tb testing.TB) *keys {
	tb.Helper()
	k, err := testKeys()
	if err != nil {
		tb.Fatalf("generate keys: %v", err)
	}
	return k
}

func testIDP(k *samltest.Key) *samltest.IdP {
	return &samltest.IdP{EntityID: testIDPEntityID, Key: k}
}

func testTrust(k *keys) Trust {
	return Trust{
		IDPEntityID:    testIDPEntityID,
		Certificates:   []*x509.Certificate{k.idp.Certificate},
		DecryptionKeys: []*rsa.PrivateKey{k.sp.RSA()},
		Audiences:      []string{testAudience},
		ACSURLs:        []string{testACS},
		Now:            testNow.Add(2 * time.Second),
	}
}

// goodOptions describe a correct SP-initiated response signed on both the
// Response and the Assertion.
func goodOptions() samltest.Options {
	return samltest.Options{
		ResponseOptions: samltest.ResponseOptions{
			Now:          testNow,
			InResponseTo: testRequestID,
			Destination:  testACS,
			Audiences:    []string{testAudience},
			NameID:       testEmail,
			Attributes: []samltest.Attribute{
				{Name: "email", Values: []string{testEmail}},
				{Name: "urn:oid:2.5.4.42", FriendlyName: "givenName", Values: []string{"Ada"}},
				{Name: "groups", Values: []string{"engineering", "admins"}},
			},
		},
		SignResponse:  true,
		SignAssertion: true,
	}
}

func makeDoc(tb testing.TB, idp *samltest.IdP, o samltest.Options) *etree.Document {
	tb.Helper()
	doc, err := idp.Make(o)
	if err != nil {
		tb.Fatalf("make response: %v", err)
	}
	return doc
}

func encodeDoc(tb testing.TB, doc *etree.Document) []byte {
	tb.Helper()
	s, err := samltest.Encode(doc)
	if err != nil {
		tb.Fatalf("encode: %v", err)
	}
	return []byte(s)
}

func encodeXML(s string) []byte {
	return []byte(base64.StdEncoding.EncodeToString([]byte(s)))
}

func mustVerify(tb testing.TB, b []byte, tr Trust) *Assertion {
	tb.Helper()
	a, err := VerifyResponse(b, tr)
	if err != nil {
		tb.Fatalf("VerifyResponse: %v", err)
	}
	return a
}

func expectReason(tb testing.TB, b []byte, tr Trust, want Reason) *Rejection {
	tb.Helper()
	a, err := VerifyResponse(b, tr)
	if err == nil {
		tb.Fatalf("VerifyResponse accepted the response (NameID %q); want %s", a.NameID, want)
	}
	rej, ok := AsRejection(err)
	if !ok {
		tb.Fatalf("error %T is not a *Rejection: %v", err, err)
	}
	if rej.Reason != want {
		tb.Fatalf("reason = %s (%s); want %s", rej.Reason, rej.Detail, want)
	}
	return rej
}
