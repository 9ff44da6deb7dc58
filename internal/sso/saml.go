package sso

import (
	"context"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/ids"
	"github.com/seamsso/seam/internal/keys"
	"github.com/seamsso/seam/internal/linking"
	"github.com/seamsso/seam/internal/opt"
	"github.com/seamsso/seam/internal/store"
)

// SAMLCreate is the body of Create SAML Connection.
type SAMLCreate struct {
	DisplayName      opt.Value[string] `json:"display_name"`
	IdentityProvider opt.Value[string] `json:"identity_provider"`
}

// CreateSAML creates a pending SAML connection with its own signing key and
// certificate.
func (s *Service) CreateSAML(ctx context.Context, p *store.Project, org *store.Organization, in SAMLCreate) (*store.Connection, error) {
	idp, display, err := createBasics(in.IdentityProvider, in.DisplayName)
	if err != nil {
		return nil, err
	}
	cfg := &samlConfig{IdentityProvider: idp, NameIDFormat: DefaultNameIDFormat}
	e := env(p)
	id := s.IDs.New(ids.SAMLConnection, e)
	key, err := keys.GenerateRSAKey(s.Rand, s.keyBits())
	if err != nil {
		return nil, apierr.Internal(err)
	}
	signing, err := s.newSigningCert(id, e, key)
	if err != nil {
		return nil, err
	}
	cfg.Signing = []storedCert{signing}
	return s.create(ctx, org, &store.Connection{ID: id, Kind: store.KindSAML, Status: status(cfg.active()),
		DisplayName: display, Config: cfg.encode()})
}

// SAMLUpdate is the body of Update SAML Connection. Every field is
// optional; an absent (or null) field is left unchanged.
type SAMLUpdate struct {
	ConnectionID                          string                           `json:"connection_id"`
	IDPEntityID                           opt.Value[string]                `json:"idp_entity_id"`
	DisplayName                           opt.Value[string]                `json:"display_name"`
	AttributeMapping                      opt.Value[map[string]any]        `json:"attribute_mapping"`
	X509Certificate                       opt.Value[string]                `json:"x509_certificate"`
	IDPSSOURL                             opt.Value[string]                `json:"idp_sso_url"`
	SAMLConnectionImplicitRoleAssignments opt.Value[[]RoleAssignment]      `json:"saml_connection_implicit_role_assignments"`
	SAMLGroupImplicitRoleAssignments      opt.Value[[]GroupRoleAssignment] `json:"saml_group_implicit_role_assignments"`
	AlternativeAudienceURI                opt.Value[string]                `json:"alternative_audience_uri"`
	IdentityProvider                      opt.Value[string]                `json:"identity_provider"`
	SigningPrivateKey                     opt.Value[string]                `json:"signing_private_key"`
	NameIDFormat                          opt.Value[string]                `json:"nameid_format"`
	AlternativeACSURL                     opt.Value[string]                `json:"alternative_acs_url"`
	IDPInitiatedAuthDisabled              opt.Value[bool]                  `json:"idp_initiated_auth_disabled"`
	SAMLEncryptionPrivateKey              opt.Value[string]                `json:"saml_encryption_private_key"`
	AllowGatewayCallback                  opt.Value[bool]                  `json:"allow_gateway_callback"`
	// IdentityLinking (Seam extension) replaces the connection's
	// identity-linking policy; absent fields take their defaults.
	IdentityLinking opt.Value[linking.Policy] `json:"identity_linking"`
	// AllowLegacyRSASHA1 (Seam extension) lets the IdP sign with rsa-sha1
	// and sha1 digests. Off by default; while on, the connection carries a
	// security warning.
	AllowLegacyRSASHA1 opt.Value[bool] `json:"allow_legacy_rsa_sha1"`
}

// UpdateSAML applies a partial update under a row lock. Every field is
// validated before anything is written; on error nothing changes.
func (s *Service) UpdateSAML(ctx context.Context, p *store.Project, org *store.Organization, id string, in SAMLUpdate) (*Updated, error) {
	if err := apierr.CheckBodyID("connection_id", id, in.ConnectionID); err != nil {
		return nil, err
	}
	return s.mutateSAML(ctx, org, id, func(c *store.Connection, cfg *samlConfig) error {
		return s.applySAML(c, cfg, org, p, in)
	})
}

// mutateSAML locks a SAML connection, lets fn change it and recomputes the
// status, in one transaction.
func (s *Service) mutateSAML(ctx context.Context, org *store.Organization, id string, fn func(c *store.Connection, cfg *samlConfig) error) (*Updated, error) {
	return s.mutateSAMLTx(ctx, org, id, func(_ store.Queries, c *store.Connection, cfg *samlConfig) error { return fn(c, cfg) })
}

// mutateSAMLTx is mutateSAML for changes that write other rows in the same
// transaction.
func (s *Service) mutateSAMLTx(ctx context.Context, org *store.Organization, id string, fn func(q store.Queries, c *store.Connection, cfg *samlConfig) error) (*Updated, error) {
	return s.mutate(ctx, org, store.KindSAML, id, func(q store.Queries, c *store.Connection) (func() any, error) {
		cfg, err := decodeSAML(c)
		if err != nil {
			return nil, apierr.Internal(err)
		}
		if err := fn(q, c, cfg); err != nil {
			return nil, err
		}
		c.Config = cfg.encode()
		c.Status = status(cfg.active())
		return func() any { return s.samlView(c, cfg) }, nil
	})
}

func (s *Service) applySAML(c *store.Connection, cfg *samlConfig, org *store.Organization, p *store.Project, in SAMLUpdate) error {
	e := env(p)
	if in.DisplayName.Has() {
		if err := validateDisplayName(in.DisplayName.V); err != nil {
			return err
		}
		c.DisplayName = in.DisplayName.V
	}
	if in.IdentityProvider.Has() {
		if err := validateIdentityProvider(in.IdentityProvider.V); err != nil {
			return err
		}
		cfg.IdentityProvider = in.IdentityProvider.V
	}
	if in.IdentityLinking.Has() {
		if err := in.IdentityLinking.V.Validate(false); err != nil {
			return err
		}
		cfg.IdentityLinking = in.IdentityLinking.V
	}
	if in.IDPEntityID.Has() {
		if err := validateEntityID("idp_entity_id", "invalid_idp_entity_id", in.IDPEntityID.V); err != nil {
			return err
		}
		cfg.IDPEntityID = in.IDPEntityID.V
	}
	if in.IDPSSOURL.Has() {
		if err := validateIDPSSOURL(in.IDPSSOURL.V); err != nil {
			return err
		}
		cfg.IDPSSOURL = in.IDPSSOURL.V
	}
	if in.AttributeMapping.Has() {
		m, err := validateAttributeMapping(in.AttributeMapping.V)
		if err != nil {
			return err
		}
		cfg.AttributeMapping = m
	}
	if in.SAMLConnectionImplicitRoleAssignments.Has() {
		if err := s.validateRoles(p, org, roleIDs(in.SAMLConnectionImplicitRoleAssignments.V)); err != nil {
			return err
		}
		cfg.ConnectionRoles = in.SAMLConnectionImplicitRoleAssignments.V
	}
	if in.SAMLGroupImplicitRoleAssignments.Has() {
		ids, err := groupRoleIDs(in.SAMLGroupImplicitRoleAssignments.V)
		if err != nil {
			return err
		}
		if err := s.validateRoles(p, org, ids); err != nil {
			return err
		}
		cfg.GroupRoles = in.SAMLGroupImplicitRoleAssignments.V
	}
	// Checked against the mapping after this update, so that one request
	// may add the "groups" key and the group roles together.
	if len(cfg.GroupRoles) > 0 && cfg.AttributeMapping["groups"] == "" {
		return apierr.BadRequest("saml_connection_attribute_mapping_missing_groups_key",
			"Group implicit role assignments need a \"groups\" key in attribute_mapping naming the IdP's group attribute.")
	}
	if in.AlternativeAudienceURI.Set && !in.AlternativeAudienceURI.Null {
		if v := in.AlternativeAudienceURI.V; v != "" {
			if err := validateEntityID("alternative_audience_uri", "invalid_alternative_audience_uri", v); err != nil {
				return err
			}
		}
		cfg.AltAudienceURI = in.AlternativeAudienceURI.V
	}
	if in.AlternativeACSURL.Set && !in.AlternativeACSURL.Null {
		if err := validateAltACSURL(in.AlternativeACSURL.V); err != nil {
			return err
		}
		cfg.AltACSURL = in.AlternativeACSURL.V
	}
	if in.NameIDFormat.Has() {
		if err := validateNameIDFormat(in.NameIDFormat.V); err != nil {
			return err
		}
		cfg.NameIDFormat = in.NameIDFormat.V
	}
	if in.IDPInitiatedAuthDisabled.Has() {
		cfg.IDPInitiatedAuthDisabled = in.IDPInitiatedAuthDisabled.V
	}
	if in.AllowGatewayCallback.Has() {
		cfg.AllowGatewayCallback = in.AllowGatewayCallback.V
	}
	if in.AllowLegacyRSASHA1.Has() {
		cfg.AllowLegacyRSASHA1 = in.AllowLegacyRSASHA1.V
	}
	if in.X509Certificate.Has() && in.X509Certificate.V != "" {
		if err := s.addVerificationCert(cfg, e, in.X509Certificate.V); err != nil {
			return err
		}
	}
	if in.SigningPrivateKey.Has() && in.SigningPrivateKey.V != "" {
		key, err := parseUploadedKey(in.SigningPrivateKey.V, "signing_private_key")
		if err != nil {
			return err
		}
		cert, err := s.newSigningCert(c.ID, e, key)
		if err != nil {
			return err
		}
		// The newest signing certificate is first: it signs from now on.
		cfg.Signing = append([]storedCert{cert}, cfg.Signing...)
		if len(cfg.Signing) > maxSigningCerts {
			cfg.Signing = cfg.Signing[:maxSigningCerts]
		}
	}
	if in.SAMLEncryptionPrivateKey.Has() && in.SAMLEncryptionPrivateKey.V != "" {
		if err := s.addEncryptionKey(cfg, c.ID, e, in.SAMLEncryptionPrivateKey.V); err != nil {
			return err
		}
	}
	return nil
}

// DeleteVerificationCertificate removes an IdP certificate; an active
// connection keeps at least one.
func (s *Service) DeleteVerificationCertificate(ctx context.Context, org *store.Organization, connID, certID string) error {
	_, err := s.mutateSAML(ctx, org, connID, func(c *store.Connection, cfg *samlConfig) error {
		i := indexCert(cfg.Verification, certID)
		if i < 0 {
			return apierr.NotFound("sso_verification_key_not_found", "Verification certificate "+apierr.Quote(certID)+" was not found on this connection.")
		}
		if c.Status == "active" && len(cfg.Verification) == 1 {
			return apierr.BadRequest("cannot_delete_last_sso_verification_key",
				"An active connection must keep at least one verification certificate; add the new certificate first.")
		}
		cfg.Verification = append(cfg.Verification[:i], cfg.Verification[i+1:]...)
		return nil
	})
	return err
}

// DeleteEncryptionPrivateKey removes a decryption key.
func (s *Service) DeleteEncryptionPrivateKey(ctx context.Context, org *store.Organization, connID, keyID string) error {
	_, err := s.mutateSAML(ctx, org, connID, func(c *store.Connection, cfg *samlConfig) error {
		for i, k := range cfg.Encryption {
			if k.ID == keyID {
				cfg.Encryption = append(cfg.Encryption[:i], cfg.Encryption[i+1:]...)
				return nil
			}
		}
		return apierr.NotFound("saml_encryption_private_key_not_found", "Encryption private key "+apierr.Quote(keyID)+" was not found on this connection.")
	})
	return err
}

func indexCert(cs []storedCert, id string) int {
	for i, c := range cs {
		if c.ID == id {
			return i
		}
	}
	return -1
}
