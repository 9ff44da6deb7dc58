package sessions

import (
	"encoding/json"
	"time"

	"github.com/seamsso/seam/internal/sessionjwt"
	"github.com/seamsso/seam/internal/store"
)

// Factor is an authentication factor of a session, in Stytch's
// AuthenticationFactor shape.
type Factor struct {
	Type                string
	DeliveryMethod      string
	LastAuthenticatedAt time.Time
	CreatedAt           time.Time
	UpdatedAt           time.Time
	SAMLSSOFactor       *SSOFactorDetails
	OIDCSSOFactor       *SSOFactorDetails
}

// SSOFactorDetails is the saml_sso_factor / oidc_sso_factor object: the
// registration (ID), the connection (ProviderID) and the IdP's subject
// (ExternalID).
type SSOFactorDetails struct {
	ID         string `json:"id"`
	ProviderID string `json:"provider_id"`
	ExternalID string `json:"external_id"`
}

// Factor types and delivery methods Seam issues.
const (
	FactorSSO          = "sso"
	DeliverySAML       = "sso_saml"
	DeliveryOIDC       = "sso_oidc"
	FactorImpersonated = "impersonated"
	DeliveryOperator   = "impersonation"
)

// SSOFactor is the factor of an SSO login. kind is store.KindSAML or
// store.KindOIDC: the protocol that verified the identity (for an External
// connection, the protocol of its source). The registration names the
// connection of the member's organization, which is what implicit SSO roles
// are matched against.
func SSOFactor(kind string, reg *store.SSORegistration, at time.Time) Factor {
	d := &SSOFactorDetails{ID: reg.ID, ProviderID: reg.ConnectionID, ExternalID: reg.ExternalID}
	f := Factor{Type: FactorSSO, LastAuthenticatedAt: at, CreatedAt: at, UpdatedAt: at}
	if kind == store.KindOIDC {
		f.DeliveryMethod, f.OIDCSSOFactor = DeliveryOIDC, d
	} else {
		f.DeliveryMethod, f.SAMLSSOFactor = DeliverySAML, d
	}
	return f
}

// OperatorFactor is the factor of a session an operator minted with `seam
// session create`: Stytch's impersonation factor type, since nobody
// authenticated as the member.
func OperatorFactor(at time.Time) Factor {
	return Factor{Type: FactorImpersonated, DeliveryMethod: DeliveryOperator, LastAuthenticatedAt: at, CreatedAt: at, UpdatedAt: at}
}

type wireFactor struct {
	Type                string            `json:"type"`
	DeliveryMethod      string            `json:"delivery_method"`
	LastAuthenticatedAt string            `json:"last_authenticated_at"`
	CreatedAt           string            `json:"created_at"`
	UpdatedAt           string            `json:"updated_at"`
	SAMLSSOFactor       *SSOFactorDetails `json:"saml_sso_factor,omitempty"`
	OIDCSSOFactor       *SSOFactorDetails `json:"oidc_sso_factor,omitempty"`
}

// MarshalJSON writes the factor with RFC 3339 timestamps.
func (f Factor) MarshalJSON() ([]byte, error) {
	return json.Marshal(wireFactor{
		Type: f.Type, DeliveryMethod: f.DeliveryMethod, LastAuthenticatedAt: sessionjwt.FormatTime(f.LastAuthenticatedAt),
		CreatedAt: sessionjwt.FormatTime(f.CreatedAt), UpdatedAt: sessionjwt.FormatTime(f.UpdatedAt),
		SAMLSSOFactor: f.SAMLSSOFactor, OIDCSSOFactor: f.OIDCSSOFactor,
	})
}

// maxFactors bounds the factors one session accumulates.
const maxFactors = 16

// factorKey identifies "the same factor" for merging: same type, delivery
// method and SSO connection.
func factorKey(raw json.RawMessage) (key, createdAt string) {
	var w wireFactor
	if json.Unmarshal(raw, &w) != nil {
		return "", ""
	}
	key = w.Type + "|" + w.DeliveryMethod
	for _, d := range []*SSOFactorDetails{w.SAMLSSOFactor, w.OIDCSSOFactor} {
		if d != nil {
			key += "|" + d.ProviderID
		}
	}
	return key, w.CreatedAt
}

// addFactor merges f into a session's factor list: a factor of the same
// kind from the same connection is replaced (keeping its created_at), any
// other is appended; the oldest factors are dropped beyond maxFactors.
func addFactor(existing json.RawMessage, f Factor) (json.RawMessage, error) {
	var list []json.RawMessage
	if len(existing) > 0 {
		if err := json.Unmarshal(existing, &list); err != nil {
			return nil, err
		}
	}
	raw, err := json.Marshal(f)
	if err != nil {
		return nil, err
	}
	newKey, _ := factorKey(raw)
	out := make([]json.RawMessage, 0, len(list)+1)
	for _, old := range list {
		k, created := factorKey(old)
		if k == newKey {
			if t, err := time.Parse(time.RFC3339, created); err == nil {
				f.CreatedAt = t
				if raw, err = json.Marshal(f); err != nil {
					return nil, err
				}
			}
			continue
		}
		out = append(out, old)
	}
	out = append(out, raw)
	if len(out) > maxFactors {
		out = out[len(out)-maxFactors:]
	}
	return json.Marshal(out)
}

// factorList splits a stored factor array for the JWT claim.
func factorList(raw json.RawMessage) []json.RawMessage {
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) != nil {
		return nil
	}
	return list
}
