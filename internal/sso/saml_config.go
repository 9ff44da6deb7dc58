package sso

import (
	"encoding/json"
	"time"

	"github.com/seamsso/seam/internal/linking"
	"github.com/seamsso/seam/internal/store"
)

// DefaultNameIDFormat is Stytch's default NameID format.
const DefaultNameIDFormat = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"

// Limits on key material per connection.
const (
	maxVerificationCerts = 5
	maxEncryptionKeys    = 5
	maxSigningCerts      = 5
)

// samlConfig is the stored shape of a SAML connection's Config.
type samlConfig struct {
	IdentityProvider         string                `json:"identity_provider"`
	IDPEntityID              string                `json:"idp_entity_id"`
	IDPSSOURL                string                `json:"idp_sso_url"`
	AttributeMapping         map[string]string     `json:"attribute_mapping"`
	ConnectionRoles          []RoleAssignment      `json:"connection_roles"`
	GroupRoles               []GroupRoleAssignment `json:"group_roles"`
	AltAudienceURI           string                `json:"alternative_audience_uri"`
	AltACSURL                string                `json:"alternative_acs_url"`
	NameIDFormat             string                `json:"nameid_format"`
	IDPInitiatedAuthDisabled bool                  `json:"idp_initiated_auth_disabled"`
	AllowGatewayCallback     bool                  `json:"allow_gateway_callback"`
	IdentityLinking          linking.Policy        `json:"identity_linking"`
	AllowLegacyRSASHA1       bool                  `json:"allow_legacy_rsa_sha1,omitempty"`
	Verification             []storedCert          `json:"verification_certificates"`
	Signing                  []storedCert          `json:"signing_certificates"`
	Encryption               []storedKey           `json:"encryption_keys"`
}

// storedCert is a certificate; SealedKey holds the private key of Seam's
// own signing certificates, encrypted under the master key.
type storedCert struct {
	ID          string    `json:"id"`
	PEM         string    `json:"pem"`
	Issuer      string    `json:"issuer"`
	Fingerprint string    `json:"fingerprint"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
	ExpiresAt   time.Time `json:"expires_at"`
	SealedKey   string    `json:"sealed_key,omitempty"`
	// Next marks a signing certificate added ahead of a rotation: published
	// in the SP metadata, not signing until activated (sp_rotation.go).
	Next bool `json:"next,omitempty"`
}

// storedKey is an encryption private key (sealed) with a certificate Seam
// issued for its public half, which IdPs need to encrypt assertions.
type storedKey struct {
	ID          string    `json:"id"`
	SealedKey   string    `json:"sealed_key"`
	CertPEM     string    `json:"certificate"`
	Fingerprint string    `json:"fingerprint"`
	CreatedAt   time.Time `json:"created_at"`
}

func decodeSAML(c *store.Connection) (*samlConfig, error) { return decodeConfig[samlConfig](c) }

func (cfg *samlConfig) encode() json.RawMessage { return encodeConfig(cfg) }

// missing is the activation rule: an IdP to send users to, an entity ID to
// expect, a mapping for the member's identity, and a key to trust. It names
// the settings still missing, by their API field names.
func (cfg *samlConfig) missing() []string {
	out := []string{}
	if cfg.IDPSSOURL == "" {
		out = append(out, "idp_sso_url")
	}
	if cfg.IDPEntityID == "" {
		out = append(out, "idp_entity_id")
	}
	if len(cfg.AttributeMapping) == 0 {
		out = append(out, "attribute_mapping")
	}
	if len(cfg.Verification) == 0 {
		out = append(out, "x509_certificate")
	}
	return out
}

// active reports whether nothing is missing.
func (cfg *samlConfig) active() bool { return len(cfg.missing()) == 0 }

func status(active bool) string {
	if active {
		return "active"
	}
	return "pending"
}

// X509Certificate is Stytch's certificate object.
type X509Certificate struct {
	CertificateID string     `json:"certificate_id"`
	Certificate   string     `json:"certificate"`
	Issuer        string     `json:"issuer"`
	CreatedAt     *time.Time `json:"created_at"`
	ExpiresAt     *time.Time `json:"expires_at"`
	UpdatedAt     *time.Time `json:"updated_at"`
}

// EncryptionPrivateKey is Stytch's encryption key object. Seam never
// returns private key material: private_key is always empty, and the
// certificate of the key's public half is returned instead so that it can be
// uploaded to the IdP.
type EncryptionPrivateKey struct {
	PrivateKeyID string     `json:"private_key_id"`
	PrivateKey   string     `json:"private_key"`
	Certificate  string     `json:"certificate"`
	CreatedAt    *time.Time `json:"created_at"`
}

// SAMLConnection is Stytch's SAML connection object.
type SAMLConnection struct {
	OrganizationID                        string                 `json:"organization_id"`
	ConnectionID                          string                 `json:"connection_id"`
	Status                                string                 `json:"status"`
	IdentityProvider                      string                 `json:"identity_provider"`
	DisplayName                           string                 `json:"display_name"`
	IDPEntityID                           string                 `json:"idp_entity_id"`
	IDPSSOURL                             string                 `json:"idp_sso_url"`
	ACSURL                                string                 `json:"acs_url"`
	AudienceURI                           string                 `json:"audience_uri"`
	AttributeMapping                      map[string]string      `json:"attribute_mapping"`
	SigningCertificates                   []X509Certificate      `json:"signing_certificates"`
	VerificationCertificates              []X509Certificate      `json:"verification_certificates"`
	EncryptionPrivateKeys                 []EncryptionPrivateKey `json:"encryption_private_keys"`
	SAMLConnectionImplicitRoleAssignments []RoleAssignment       `json:"saml_connection_implicit_role_assignments"`
	SAMLGroupImplicitRoleAssignments      []GroupRoleAssignment  `json:"saml_group_implicit_role_assignments"`
	AlternativeAudienceURI                string                 `json:"alternative_audience_uri"`
	AlternativeACSURL                     string                 `json:"alternative_acs_url"`
	NameIDFormat                          string                 `json:"nameid_format"`
	IDPInitiatedAuthDisabled              bool                   `json:"idp_initiated_auth_disabled"`
	AllowGatewayCallback                  bool                   `json:"allow_gateway_callback"`
	// IdentityLinking is a Seam extension: the effective identity-linking
	// policy (docs/identity-linking.md).
	IdentityLinking linking.Policy `json:"identity_linking"`
	// MissingSettings is a Seam extension: the settings a pending
	// connection still needs before it becomes active ([] when active).
	MissingSettings []string `json:"missing_settings"`
	// AllowLegacyRSASHA1 is a Seam extension (see SAMLUpdate).
	AllowLegacyRSASHA1 bool `json:"allow_legacy_rsa_sha1"`
	// SecurityWarnings is a Seam extension: plain-words warnings for every
	// setting that weakens the connection ([] when there is none).
	SecurityWarnings []string `json:"security_warnings"`
	// PublishedSigningCertificateIDs is a Seam extension: the signing
	// certificates the SP metadata publishes, the one that signs first,
	// then any added ahead of a rotation (docs/sso-connections.md).
	PublishedSigningCertificateIDs []string `json:"published_signing_certificate_ids"`
}

// securityWarnings is the one list of settings that weaken a SAML
// connection, in words an IT admin can act on; the API and the setup page
// both show it.
func (cfg *samlConfig) securityWarnings() []string {
	out := []string{}
	if cfg.AllowLegacyRSASHA1 {
		out = append(out, "allow_legacy_rsa_sha1 is on: the IdP may sign with RSA-SHA1, whose collisions are practical. "+
			"Switch the IdP's signing algorithm to RSA-SHA256 and set allow_legacy_rsa_sha1 to false.")
	}
	return out
}

func tptr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func certViews(cs []storedCert) []X509Certificate {
	out := make([]X509Certificate, 0, len(cs))
	for _, c := range cs {
		out = append(out, X509Certificate{
			CertificateID: c.ID, Certificate: c.PEM, Issuer: c.Issuer,
			CreatedAt: tptr(c.CreatedAt), ExpiresAt: tptr(c.ExpiresAt), UpdatedAt: tptr(c.UpdatedAt),
		})
	}
	return out
}

// SAMLView renders a stored SAML connection.
func (s *Service) SAMLView(c *store.Connection) (*SAMLConnection, error) {
	cfg, err := decodeSAML(c)
	if err != nil {
		return nil, err
	}
	return s.samlView(c, cfg), nil
}

// samlView renders c with its decoded config cfg.
func (s *Service) samlView(c *store.Connection, cfg *samlConfig) *SAMLConnection {
	v := &SAMLConnection{
		OrganizationID: c.OrganizationID, ConnectionID: c.ID, Status: c.Status, DisplayName: c.DisplayName,
		IdentityProvider: cfg.IdentityProvider, IDPEntityID: cfg.IDPEntityID, IDPSSOURL: cfg.IDPSSOURL,
		ACSURL: s.CallbackURL(c), AudienceURI: s.CallbackURL(c),
		AttributeMapping:                      cfg.AttributeMapping,
		SigningCertificates:                   certViews(cfg.Signing),
		VerificationCertificates:              certViews(cfg.Verification),
		EncryptionPrivateKeys:                 []EncryptionPrivateKey{},
		SAMLConnectionImplicitRoleAssignments: nonNil(cfg.ConnectionRoles),
		SAMLGroupImplicitRoleAssignments:      nonNil(cfg.GroupRoles),
		AlternativeAudienceURI:                cfg.AltAudienceURI, AlternativeACSURL: cfg.AltACSURL,
		NameIDFormat: cfg.NameIDFormat, IDPInitiatedAuthDisabled: cfg.IDPInitiatedAuthDisabled,
		AllowGatewayCallback: cfg.AllowGatewayCallback,
		IdentityLinking:      cfg.IdentityLinking.Effective(cfg.IdentityProvider, false),
		MissingSettings:      cfg.missing(),
		AllowLegacyRSASHA1:   cfg.AllowLegacyRSASHA1,
		SecurityWarnings:     cfg.securityWarnings(),
	}
	v.PublishedSigningCertificateIDs = publishedSigning(cfg)
	if v.AttributeMapping == nil {
		v.AttributeMapping = map[string]string{}
	}
	for _, k := range cfg.Encryption {
		v.EncryptionPrivateKeys = append(v.EncryptionPrivateKeys, EncryptionPrivateKey{
			PrivateKeyID: k.ID, Certificate: k.CertPEM, CreatedAt: tptr(k.CreatedAt),
		})
	}
	return v
}

func nonNil[T any](v []T) []T {
	if v == nil {
		return []T{}
	}
	return v
}
