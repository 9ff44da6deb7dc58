-- The ACS URL, SAML audience and OIDC redirect URL a connection was created
-- with: what its IdP was told. Rows from before this migration are filled
-- by `seam serve` from the base URL it starts with (PinCallbackURLs), so a
-- later SEAM_BASE_URL change does not move them.
ALTER TABLE sso_connections ADD COLUMN callback_url TEXT NOT NULL DEFAULT '';
