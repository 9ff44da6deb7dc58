package samlverify

import (
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"testing"
	"time"

	crewjam "github.com/crewjam/saml"
	saml2 "github.com/russellhaering/gosaml2"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/seamsso/seam/internal/saml"
)

// verifiers are the three libraries configured with the same trust: the
// IdP's entity ID and signing certificate, the SP's decryption key, the
// audience and the ACS URL, and the real clock (each reads it per call).
type verifiers struct {
	trust   saml.Trust
	crewjam *crewjam.ServiceProvider
	gosaml2 *saml2.SAMLServiceProvider
}

func newVerifiers(tb testing.TB, k *benchKeys) *verifiers {
	tb.Helper()
	acs, err := url.Parse(acsURL)
	if err != nil {
		tb.Fatal(err)
	}
	spKey, ok := k.sp.Signer.(*rsa.PrivateKey)
	if !ok {
		tb.Fatal("SP key is not RSA")
	}
	return &verifiers{
		trust: saml.Trust{
			IDPEntityID:    idpEntityID,
			Certificates:   []*x509.Certificate{k.idp.Certificate},
			DecryptionKeys: []*rsa.PrivateKey{spKey},
			Audiences:      []string{audience},
			ACSURLs:        []string{acsURL},
		},
		crewjam: &crewjam.ServiceProvider{
			EntityID:          audience, // crewjam's audience
			Key:               spKey,
			Certificate:       k.sp.Certificate,
			AcsURL:            *acs,
			AllowIDPInitiated: true,
			IDPMetadata: &crewjam.EntityDescriptor{
				EntityID: idpEntityID,
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
		},
		gosaml2: &saml2.SAMLServiceProvider{
			IdentityProviderIssuer:      idpEntityID,
			ServiceProviderIssuer:       audience,
			AudienceURI:                 audience,
			AssertionConsumerServiceURL: acsURL,
			IDPCertificateStore:         &dsig.MemoryX509CertificateStore{Roots: []*x509.Certificate{k.idp.Certificate}},
			SPKeyStore: dsig.TLSCertKeyStore(tls.Certificate{
				Certificate: [][]byte{k.sp.Certificate.Raw},
				PrivateKey:  spKey,
			}),
			SkipSignatureValidation: false,
			Clock:                   dsig.NewRealClock(),
		},
	}
}

// library is one verifier as the benchmarks and the agreement test call it.
type library struct {
	name   string
	verify func(v *verifiers, f *fixture) (outcome, error)
}

func libraries() []library {
	return []library{
		{"seam", (*verifiers).seam},
		{"crewjam", (*verifiers).crewjamParse},
		{"gosaml2", (*verifiers).gosaml2Retrieve},
	}
}

// seam is what Seam's ACS handler does with the verifier's result for an
// IdP-initiated login: VerifyResponse with the clock read now.
func (v *verifiers) seam(f *fixture) (outcome, error) {
	tr := v.trust
	tr.Now = time.Now()
	a, err := saml.VerifyResponse(f.formB, tr)
	if err != nil {
		return outcome{}, err
	}
	email := ""
	if vs := a.Attributes["email"]; len(vs) > 0 {
		email = vs[0]
	}
	return outcome{nameID: a.NameID, attributes: len(a.Attributes), groups: len(a.Attributes["groups"]), email: email}, nil
}

// crewjamParse is ServiceProvider.ParseResponse on a POST carrying the form
// value (base64 decoding included, as for the others).
func (v *verifiers) crewjamParse(f *fixture) (outcome, error) {
	a, err := v.crewjam.ParseResponse(f.req, nil)
	if err != nil {
		var ire *crewjam.InvalidResponseError
		if errors.As(err, &ire) && ire.PrivateErr != nil {
			return outcome{}, fmt.Errorf("crewjam: %w", ire.PrivateErr)
		}
		return outcome{}, err
	}
	var o outcome
	if a.Subject != nil && a.Subject.NameID != nil {
		o.nameID = a.Subject.NameID.Value
	}
	for _, st := range a.AttributeStatements {
		o.attributes += len(st.Attributes)
		for _, at := range st.Attributes {
			switch {
			case at.Name == "groups":
				o.groups += len(at.Values)
			case at.Name == "email" && len(at.Values) > 0:
				o.email = at.Values[0].Value
			}
		}
	}
	return o, nil
}

// gosaml2Retrieve is RetrieveAssertionInfo. gosaml2 reports a bad audience
// or time bounds as warnings, not errors; an SP must refuse on them, so this
// does.
func (v *verifiers) gosaml2Retrieve(f *fixture) (outcome, error) {
	info, err := v.gosaml2.RetrieveAssertionInfo(f.form)
	if err != nil {
		return outcome{}, err
	}
	if w := info.WarningInfo; w != nil && (w.InvalidTime || w.NotInAudience) {
		return outcome{}, fmt.Errorf("gosaml2 warning: invalid time %v, not in audience %v", w.InvalidTime, w.NotInAudience)
	}
	return outcome{
		nameID:     info.NameID,
		attributes: len(info.Values),
		groups:     len(info.Values["groups"].Values),
		email:      info.Values.Get("email"),
	}, nil
}
