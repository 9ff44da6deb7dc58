// Package testidp is the built-in test identity provider of test projects: a
// SAML IdP and an OpenID provider that `seam serve` itself answers, with a
// handful of fixed users and groups, so that a first SSO login needs nothing
// but Seam. It is a development tool. Live projects are refused.
//
// The IdP signs with its own key (one per project, generated on first use,
// the private key sealed under the master key like every other key) and its
// answers reach the service-provider side of Seam the way a real IdP's do:
// the SAML response through the browser to the ACS and the SAML verifier,
// the OIDC code through the token endpoint, with the ID token checked against
// the IdP's JWKS. It can be told to answer wrongly (wrong audience, expired,
// signed by a key the connection does not trust) so that the connection's
// login diagnostics can be seen.
//
// It is not an identity provider to put in front of anything real: anybody
// who can reach Seam can sign in as any test user of any test project.
package testidp

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/ids"
	"github.com/seamsso/seam/internal/keys"
	"github.com/seamsso/seam/internal/organizations"
	"github.com/seamsso/seam/internal/sso"
	"github.com/seamsso/seam/internal/store"
)

// PathPrefix is where the test IdP is served: PathPrefix + "/{project_id}/...".
const PathPrefix = "/v1/test_idp"

// LandingPath is the demo's redirect URL path: a page that shows the SSO
// token an application would exchange (see Landing).
const LandingPath = PathPrefix + "/landing"

// ClientID is the OIDC client ID the test IdP knows; the secret is per
// project.
const ClientID = "seam-test-idp-client"

// keyValidity is the lifetime of the IdP's certificate.
const keyValidity = 10 * 365 * 24 * time.Hour

// Service serves the test IdP of test projects.
type Service struct {
	Store  store.Store
	Sealer *keys.Sealer
	Now    func() time.Time
	Rand   io.Reader
	IDs    ids.Generator
	// BaseURL is Seam's public origin (SEAM_BASE_URL).
	BaseURL string
	// KeyBits is the RSA size of new keys; 0 means 2048.
	KeyBits int
	// Organizations and SSO create the demo's organization and connection
	// (Demo).
	Organizations *organizations.Service
	SSO           *sso.Service
}

// IdP is one project's test IdP with its credentials. ClientSecret and Key
// are secrets: never log them or put them in a page.
type IdP struct {
	Project      *store.Project
	KID          string
	Key          *rsa.PrivateKey
	Certificate  *x509.Certificate
	CertPEM      string
	ClientSecret string
	base         string
}

// SAMLEntityID is the IdP's SAML entity ID (also its metadata URL).
func (i *IdP) SAMLEntityID() string { return i.base + "/saml/metadata" }

// SAMLSSOURL is where SP-initiated logins start (HTTP-Redirect or POST).
func (i *IdP) SAMLSSOURL() string { return i.base + "/saml/sso" }

// Issuer is the OIDC issuer; discovery is at Issuer + "/.well-known/openid-configuration".
func (i *IdP) Issuer() string { return i.base + "/oidc" }

// String keeps the key and client secret out of any formatted output.
func (i *IdP) String() string { return "testidp.IdP{" + i.Project.ID + "}" }

// ErrLiveProject is returned for live projects.
func errLiveProject() *apierr.Error {
	return apierr.Forbidden("test_idp_not_available",
		"The built-in test IdP serves test projects only (project-test-...); a live project must use a real identity provider.")
}

func errProjectNotFound() *apierr.Error {
	return apierr.NotFound("project_not_found", "No project with that project_id.")
}

// Open returns the test IdP of a test project, creating its keys on first use.
func (s *Service) Open(ctx context.Context, projectID string) (*IdP, error) {
	if len(projectID) > 128 {
		return nil, errProjectNotFound()
	}
	p, err := s.Store.GetProject(ctx, projectID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, errProjectNotFound()
	case err != nil:
		return nil, apierr.Internal(err)
	}
	return s.ForProject(ctx, p)
}

// ForProject is Open for a project already loaded.
func (s *Service) ForProject(ctx context.Context, p *store.Project) (*IdP, error) {
	if ids.Environment(p.Environment) != ids.Test {
		return nil, errLiveProject()
	}
	k, err := s.Store.GetTestIdPKeys(ctx, p.ID)
	if errors.Is(err, store.ErrNotFound) {
		k, err = s.createKeys(ctx, p)
	}
	if err != nil {
		return nil, apierr.Internal(err)
	}
	return s.unseal(p, k)
}

func keyAAD(projectID string) []byte    { return []byte("seam/test-idp/key/" + projectID) }
func secretAAD(projectID string) []byte { return []byte("seam/test-idp/client-secret/" + projectID) }

func (s *Service) createKeys(ctx context.Context, p *store.Project) (*store.TestIdPKeys, error) {
	bits := s.KeyBits
	if bits == 0 {
		bits = 2048
	}
	key, err := keys.GenerateRSAKey(s.Rand, bits)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	_, certPEM, err := keys.IssueSelfSigned(s.Rand, key, keys.CertOptions{
		CommonName: "Seam test IdP " + p.ID, Organization: "Seam test IdP",
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(keyValidity),
	})
	if err != nil {
		return nil, err
	}
	sealedKey, err := s.Sealer.Seal([]byte(keys.EncodePKCS1PrivateKeyPEM(key)), keyAAD(p.ID))
	if err != nil {
		return nil, err
	}
	secret, err := randomHex(s.Rand, 32)
	if err != nil {
		return nil, err
	}
	sealedSecret, err := s.Sealer.Seal([]byte(secret), secretAAD(p.ID))
	if err != nil {
		return nil, err
	}
	kidPart, err := randomHex(s.Rand, 8)
	if err != nil {
		return nil, err
	}
	k := &store.TestIdPKeys{ProjectID: p.ID, KID: "test-idp-" + kidPart, SealedPrivateKey: sealedKey,
		Certificate: certPEM, SealedClientSecret: sealedSecret, CreatedAt: now}
	err = s.Store.CreateTestIdPKeys(ctx, k)
	var conflict *store.ErrConflict
	if errors.As(err, &conflict) {
		// Another request (or replica) created them first: use theirs.
		return s.Store.GetTestIdPKeys(ctx, p.ID)
	}
	return k, err
}

func (s *Service) unseal(p *store.Project, k *store.TestIdPKeys) (*IdP, error) {
	pemKey, err := s.Sealer.Open(k.SealedPrivateKey, keyAAD(p.ID))
	if err != nil {
		return nil, apierr.Internal(fmt.Errorf("test IdP key: %w", err))
	}
	key, err := keys.ParsePKCS1PrivateKeyPEM(string(pemKey))
	if err != nil {
		return nil, apierr.Internal(fmt.Errorf("test IdP key: %w", err))
	}
	cert, err := keys.ParseCertificatePEM(k.Certificate)
	if err != nil {
		return nil, apierr.Internal(fmt.Errorf("test IdP certificate: %w", err))
	}
	secret, err := s.Sealer.Open(k.SealedClientSecret, secretAAD(p.ID))
	if err != nil {
		return nil, apierr.Internal(fmt.Errorf("test IdP client secret: %w", err))
	}
	return &IdP{Project: p, KID: k.KID, Key: key, Certificate: cert, CertPEM: k.Certificate,
		ClientSecret: string(secret), base: s.BaseURL + PathPrefix + "/" + url.PathEscape(p.ID)}, nil
}

func randomHex(r io.Reader, n int) (string, error) {
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

// callbackPrefix is the start of every ACS and OIDC redirect URL of this
// Seam: the IdP answers nobody else.
func (s *Service) callbackPrefix() string { return s.BaseURL + "/v1/b2b/sso/callback/" }

// checkReturnURL refuses an ACS or redirect URL that is not one of this
// Seam's callbacks, so the test IdP cannot be used to send signed
// assertions anywhere else.
func (s *Service) checkReturnURL(field, u string) error {
	rest, ok := strings.CutPrefix(u, s.callbackPrefix())
	if !ok || rest == "" || strings.ContainsAny(rest, "/?#") || len(u) > 2048 {
		return apierr.BadRequest("test_idp_invalid_request",
			field+" must be one of this Seam's SSO callback URLs ("+s.callbackPrefix()+"{connection_id}).")
	}
	return nil
}
