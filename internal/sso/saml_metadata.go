package sso

import (
	"context"

	"github.com/seamsso/seam/internal/store"
)

// UpdateSAMLByMetadata sets idp_entity_id, idp_sso_url and the
// verification certificates from an IdP metadata document the caller
// already holds (the setup page's upload), by the same rules as
// UpdateSAMLByURL (parseIDPMetadata, applyIDPMetadata). It never touches
// attribute_mapping, and it leaves a remembered metadata URL as it is;
// every failure leaves the connection unchanged.
func (s *Service) UpdateSAMLByMetadata(ctx context.Context, p *store.Project, org *store.Organization, id string, metadata []byte) (*Updated, error) {
	if _, err := s.Get(ctx, org, store.KindSAML, id); err != nil {
		return nil, err
	}
	md, err := parseIDPMetadata(metadata)
	if err != nil {
		return nil, err
	}
	e := env(p)
	return s.mutateSAML(ctx, org, id, func(_ *store.Connection, cfg *samlConfig) error {
		return s.applyIDPMetadata(cfg, e, md)
	})
}
