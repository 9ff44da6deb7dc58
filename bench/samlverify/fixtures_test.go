package samlverify

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seamsso/seam/internal/saml/samltest"
)

const (
	idpEntityID = "https://idp.example.com/saml/metadata"
	acsURL      = "https://seam.example.com/v1/b2b/sso/callback/saml-connection-test-51861cbc-d3b9-428b-9761-227f5fb12be9"
	audience    = acsURL
	userEmail   = "ada@example.com"
	forgedEmail = "eve@example.com"
)

// benchKeys are the keys of one test binary: generated fresh on every run,
// never written anywhere, certificates valid for a day either side of the
// start of the run.
type benchKeys struct {
	idp      *samltest.Key // the IdP's signing key (RSA 2048), trusted by all three verifiers
	attacker *samltest.Key // RSA 2048 with the same subject, trusted by nobody
	sp       *samltest.Key // the SP's encryption key (RSA 2048)
}

// RSA key generation costs hundreds of milliseconds; with -count 6 every
// benchmark function runs six times, so the keys are made once per binary.
// The value is immutable once made.
var loadKeys = sync.OnceValues(func() (*benchKeys, error) {
	now := time.Now()
	nb, na := now.Add(-24*time.Hour), now.Add(24*time.Hour)
	idp, err1 := samltest.NewRSAKey(2048, "idp", nb, na)
	attacker, err2 := samltest.NewRSAKey(2048, "idp", nb, na)
	sp, err3 := samltest.NewRSAKey(2048, "sp-encryption", nb, na)
	return &benchKeys{idp: idp, attacker: attacker, sp: sp}, errors.Join(err1, err2, err3)
})

func mustKeys(tb testing.TB) *benchKeys {
	tb.Helper()
	k, err := loadKeys()
	if err != nil {
		tb.Fatalf("generate keys: %v", err)
	}
	return k
}

// scenario is one shape of response. Every scenario is IdP-initiated (no
// InResponseTo), because crewjam is configured with AllowIDPInitiated and
// gosaml2 never checks InResponseTo: all three then apply the same rules.
type scenario struct {
	name          string
	target        int // minimum size of the XML in bytes; padded with attributes up to it
	groups        int // values of the "groups" attribute
	signAssertion bool
	signResponse  bool
	cipher        string // XML Encryption content algorithm; "" for a plaintext assertion
	// padValue is the length of each padding attribute's value (default
	// 9). The 100 KB scenario uses long values so that it stays under 1000
	// elements: beyond that goxmldsig stops searching for the signature and
	// crewjam/saml v0.5.1 dereferences nil (it panics on such a response).
	padValue int
}

// Two signatures, or one signature inside an encrypted assertion, cannot fit
// in 5 KB (each signature carries a 2048-bit certificate, and encryption
// adds base64 and a wrapped key), so those scenarios start at 8 KB.
//
// scenarios use only algorithms every library supports: RSA-SHA256 with a
// SHA-256 digest and exclusive c14n for signatures; RSA-OAEP-MGF1P (SHA-1)
// key transport with AES-128-GCM (the only GCM size crewjam registers) or
// AES-256-CBC for encryption.
func scenarios() []scenario {
	return []scenario{
		{name: "assertion-signed-5k", target: 5000, groups: 3, signAssertion: true},
		{name: "response-signed-5k", target: 5000, groups: 3, signResponse: true},
		{name: "both-signed-8k", target: 8000, groups: 3, signAssertion: true, signResponse: true},
		{name: "assertion-signed-25k", target: 25000, groups: 80, signAssertion: true},
		{name: "assertion-signed-100k", target: 100000, groups: 80, signAssertion: true, padValue: 400},
		{name: "encrypted-aes128gcm-8k", target: 8000, groups: 3, signAssertion: true, cipher: samltest.AlgAES128GCM},
		{name: "encrypted-aes256cbc-8k", target: 8000, groups: 3, signAssertion: true, cipher: samltest.AlgAES256CBC},
	}
}

// tamper is how a fixture departs from what the IdP signed.
type tamper int

const (
	untampered      tamper = iota
	forgedNameID           // NameID changed after signing (inside the ciphertext when encrypted)
	untrustedSigner        // every signature made with a key nobody trusts
)

func (t tamper) String() string {
	switch t {
	case untampered:
		return "untampered"
	case forgedNameID:
		return "forged-nameid"
	case untrustedSigner:
		return "untrusted-signer"
	}
	return fmt.Sprintf("tamper(%d)", int(t))
}

// outcome is what every verifier must agree on for an accepted response.
type outcome struct {
	nameID     string
	attributes int // distinct attribute Names
	groups     int // values of "groups"
	email      string
}

// fixture is one response in every form the three APIs take, made before
// timing starts so that no benchmark pays for a conversion another does not.
type fixture struct {
	xmlBytes int
	form     string        // the SAMLResponse form value (base64), for gosaml2
	formB    []byte        // the same bytes, for Seam
	req      *http.Request // a POST to the ACS URL carrying the form value, for crewjam
	want     outcome
}

// makeFixture builds the scenario's response at the smallest attribute
// padding that reaches sc.target bytes of XML. Times are relative to now, so
// fixtures are made per benchmark (crewjam refuses responses issued more than
// 90 s ago).
func makeFixture(tb testing.TB, k *benchKeys, sc scenario, t tamper) *fixture {
	tb.Helper()
	now := time.Now()
	build := func(pad int) []byte {
		raw, err := buildResponse(k, sc, pad, now, t)
		if err != nil {
			tb.Fatalf("%s: build response: %v", sc.name, err)
		}
		return raw
	}
	// Size grows monotonically with the padding (IDs and timestamps have a
	// fixed length), so search the smallest sufficient padding.
	lo, hi := 0, 1
	for len(build(hi)) < sc.target {
		lo, hi = hi, hi*2
		if hi > 4096 {
			tb.Fatalf("%s: cannot reach %d bytes", sc.name, sc.target)
		}
	}
	for lo < hi {
		mid := (lo + hi) / 2
		if len(build(mid)) >= sc.target {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	pad := hi
	raw := build(pad)
	form := base64.StdEncoding.EncodeToString(raw)
	req := httptest.NewRequest(http.MethodPost, acsURL, nil)
	req.PostForm = url.Values{"SAMLResponse": {form}}
	return &fixture{
		xmlBytes: len(raw),
		form:     form,
		formB:    []byte(form),
		req:      req,
		want: outcome{
			nameID:     userEmail,
			attributes: 4 + pad, // email, firstName, lastName, groups, padding
			groups:     sc.groups,
			email:      userEmail,
		},
	}
}

// buildResponse is the IdP: assertion signature, encryption, Response
// signature, in that order, with the requested tampering.
func buildResponse(k *benchKeys, sc scenario, pad int, now time.Time, t tamper) ([]byte, error) {
	signer := k.idp
	if t == untrustedSigner {
		signer = k.attacker
	}
	idp := &samltest.IdP{EntityID: idpEntityID, Key: signer}
	groups := make([]string, sc.groups)
	for i := range groups {
		groups[i] = fmt.Sprintf("group-%03d", i)
	}
	attrs := []samltest.Attribute{
		{Name: "email", Values: []string{userEmail}},
		{Name: "firstName", Values: []string{"Ada"}},
		{Name: "lastName", Values: []string{"Lovelace"}},
		{Name: "groups", Values: groups},
	}
	for i := range pad {
		value := fmt.Sprintf("value-%03d", i)
		if sc.padValue > len(value) {
			value += strings.Repeat("v", sc.padValue-len(value))
		}
		attrs = append(attrs, samltest.Attribute{
			Name:   fmt.Sprintf("custom-attribute-%03d", i),
			Values: []string{value},
		})
	}
	doc, err := idp.NewResponse(samltest.ResponseOptions{
		Now:         now,
		Destination: acsURL,
		Audiences:   []string{audience},
		NameID:      userEmail,
		Attributes:  attrs,
	})
	if err != nil {
		return nil, err
	}
	forge := func() error {
		subject := samltest.ChildNamed(samltest.AssertionOf(doc), "Subject")
		nameID := samltest.ChildNamed(subject, "NameID")
		if nameID == nil {
			return errors.New("no NameID to forge")
		}
		nameID.SetText(forgedEmail)
		return nil
	}
	if sc.signAssertion {
		if _, err := samltest.Sign(samltest.AssertionOf(doc), signer, samltest.SignOptions{}); err != nil {
			return nil, err
		}
	}
	if sc.cipher != "" {
		if t == forgedNameID {
			if err := forge(); err != nil {
				return nil, err
			}
		}
		opts := samltest.EncryptOptions{Cipher: sc.cipher, KeyTransport: samltest.AlgRSAOAEPMGF1P}
		if _, err := samltest.EncryptAssertion(samltest.AssertionOf(doc), k.sp.Certificate, opts); err != nil {
			return nil, err
		}
	}
	if sc.signResponse {
		if _, err := samltest.Sign(doc.Root(), signer, samltest.SignOptions{}); err != nil {
			return nil, err
		}
	}
	if sc.cipher == "" && t == forgedNameID {
		if err := forge(); err != nil {
			return nil, err
		}
	}
	return samltest.Serialize(doc)
}
