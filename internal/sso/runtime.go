package sso

import (
	"crypto/rsa"
	"crypto/x509"
	"fmt"

	"github.com/seamsso/seam/internal/keys"
	"github.com/seamsso/seam/internal/linking"
	"github.com/seamsso/seam/internal/store"
)

// SAMLRuntime is what a login through a SAML connection needs: the trust
// settings for verifying responses and the key for signing requests. It
// holds private keys (shared with other requests, see unsealKey) and must
// not outlive the request. The
// certificates and AttributeMapping are shared with other requests (see
// runtime_cache.go) and are read-only; the slices are the caller's own.
type SAMLRuntime struct {
	ConnectionID             string
	OrganizationID           string
	IDPEntityID              string
	IDPSSOURL                string
	NameIDFormat             string
	AttributeMapping         map[string]string
	IDPInitiatedAuthDisabled bool
	// AllowLegacyRSASHA1 widens the verifier's algorithm allow-list.
	AllowLegacyRSASHA1 bool
	Certificates       []*x509.Certificate
	DecryptionKeys     []*rsa.PrivateKey
	SigningKey         *rsa.PrivateKey
	Audiences          []string // audience_uri, then alternative_audience_uri
	ACSURLs            []string // acs_url, then alternative_acs_url
	// RequestACSURL is the AssertionConsumerServiceURL sent in AuthnRequests:
	// alternative_acs_url when set (migrations), else acs_url.
	RequestACSURL string
	// SPEntityID is the Issuer of AuthnRequests.
	SPEntityID string
}

// MissingSettings names the settings a SAML or OIDC connection still needs
// before it becomes active (by the one activation rule of its kind); none
// for an active one.
func (s *Service) MissingSettings(c *store.Connection) ([]string, error) {
	switch c.Kind {
	case store.KindSAML:
		cfg, err := decodeSAML(c)
		if err != nil {
			return nil, err
		}
		return cfg.missing(), nil
	case store.KindOIDC:
		cfg, err := decodeOIDC(c)
		if err != nil {
			return nil, err
		}
		return cfg.missing(), nil
	}
	return []string{}, nil
}

// SAMLRuntime unseals a SAML connection's keys and collects its trust settings.
func (s *Service) SAMLRuntime(c *store.Connection) (*SAMLRuntime, error) {
	return s.samlRuntime(c, true)
}

// SAMLVerifyRuntime is SAMLRuntime without the signing key, which verifying
// a response never needs: unsealing and parsing an RSA private key is a
// measurable share of every ACS request (bench/load acs-untrusted-signature).
func (s *Service) SAMLVerifyRuntime(c *store.Connection) (*SAMLRuntime, error) {
	return s.samlRuntime(c, false)
}

func (s *Service) samlRuntime(c *store.Connection, withSigningKey bool) (*SAMLRuntime, error) {
	d, err := s.decodedSAML(c)
	if err != nil {
		return nil, err
	}
	// A copy of the shared, immutable runtime, with slices of its own so
	// that a caller's append cannot reach another request's.
	rt := d.runtime
	rt.Certificates = append([]*x509.Certificate(nil), rt.Certificates...)
	rt.Audiences = append([]string(nil), rt.Audiences...)
	rt.ACSURLs = append([]string(nil), rt.ACSURLs...)
	for _, k := range d.cfg.Encryption {
		key, err := s.unsealKey(c.ID, k.ID, k.SealedKey)
		if err != nil {
			return nil, err
		}
		rt.DecryptionKeys = append(rt.DecryptionKeys, key)
	}
	if withSigningKey && len(d.cfg.Signing) > 0 {
		if rt.SigningKey, err = s.unsealKey(c.ID, d.cfg.Signing[0].ID, d.cfg.Signing[0].SealedKey); err != nil {
			return nil, err
		}
	}
	return &rt, nil
}

// decodedSAML decodes a SAML connection's configuration and parses its
// verification certificates, or takes both from the runtime cache.
func (s *Service) decodedSAML(c *store.Connection) (*samlDecoded, error) {
	own := s.CallbackURL(c)
	key := runtimeKey(c, own)
	if d, ok := s.runtimes.Get(key); ok {
		return d, nil
	}
	cfg, err := decodeSAML(c)
	if err != nil {
		return nil, err
	}
	rt := SAMLRuntime{
		ConnectionID: c.ID, OrganizationID: c.OrganizationID, IDPEntityID: cfg.IDPEntityID, IDPSSOURL: cfg.IDPSSOURL,
		NameIDFormat: cfg.NameIDFormat, AttributeMapping: cfg.AttributeMapping,
		IDPInitiatedAuthDisabled: cfg.IDPInitiatedAuthDisabled,
		AllowLegacyRSASHA1:       cfg.AllowLegacyRSASHA1,
		Audiences:                []string{own}, ACSURLs: []string{own}, RequestACSURL: own, SPEntityID: own,
	}
	if cfg.AltAudienceURI != "" {
		rt.Audiences = append(rt.Audiences, cfg.AltAudienceURI)
	}
	if cfg.AltACSURL != "" {
		rt.ACSURLs = append(rt.ACSURLs, cfg.AltACSURL)
		rt.RequestACSURL = cfg.AltACSURL
	}
	for _, vc := range cfg.Verification {
		cert, err := keys.ParseCertificatePEM(vc.PEM)
		if err != nil {
			return nil, fmt.Errorf("stored verification certificate %s: %w", vc.ID, err)
		}
		rt.Certificates = append(rt.Certificates, cert)
	}
	d := &samlDecoded{runtime: rt, cfg: cfg}
	s.runtimes.Put(key, d)
	return d, nil
}

// unsealKey opens and parses one of a connection's sealed private keys.
// Opening and parsing (with the RSA key's precomputation) was 7 % of an
// SP-initiated start's CPU, so a parsed key is remembered by a SHA-256 of
// its inputs (connection, key ID and sealed bytes): a rotated or replaced
// key has another digest. Keys stay in process memory only, as the
// session signing keys do (sessions.keyring); an *rsa.PrivateKey is safe
// to sign with concurrently.
func (s *Service) unsealKey(connID, keyID, sealed string) (*rsa.PrivateKey, error) {
	k := digestOf(connID, keyID, sealed)
	if key, ok := s.privateKeys.Get(k); ok {
		return key, nil
	}
	pemText, err := s.Sealer.Open(sealed, sealAAD(connID, keyID))
	if err != nil {
		return nil, fmt.Errorf("unseal key %s: %w", keyID, err)
	}
	key, err := keys.ParsePKCS1PrivateKeyPEM(string(pemText))
	if err != nil {
		return nil, err
	}
	s.privateKeys.Put(k, key)
	return key, nil
}

// LinkPolicy is the effective identity-linking policy of a SAML or OIDC
// connection: the policy under which identities its IdP verified are linked
// to members, also for External connections that use it.
func (s *Service) LinkPolicy(c *store.Connection) (linking.Policy, error) {
	switch c.Kind {
	case store.KindSAML:
		// From the runtime cache: a login reads the policy at its
		// callback and again at authenticate.
		d, err := s.decodedSAML(c)
		if err != nil {
			return linking.Policy{}, err
		}
		return d.cfg.IdentityLinking.Effective(d.cfg.IdentityProvider, false), nil
	case store.KindOIDC:
		cfg, err := decodeOIDC(c)
		if err != nil {
			return linking.Policy{}, err
		}
		return cfg.IdentityLinking.Effective(cfg.IdentityProvider, true), nil
	}
	return linking.Policy{}, fmt.Errorf("sso: %s connections verify no identities", c.Kind)
}
