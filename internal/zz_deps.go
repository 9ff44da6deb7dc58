// Temporary: keeps the chosen dependencies in go.mod while packages that use
// them are written in parallel. Delete once every import below is real.

package internal

import (
	_ "code.dny.dev/ssrf"
	_ "github.com/beevik/etree"
	_ "github.com/coreos/go-oidc/v3/oidc"
	_ "github.com/crewjam/saml"
	_ "github.com/crewjam/saml/samlidp"
	_ "github.com/crewjam/saml/xmlenc"
	_ "github.com/go-jose/go-jose/v4"
	_ "github.com/go-jose/go-jose/v4/jwt"
	_ "github.com/google/uuid"
	_ "github.com/jackc/pgx/v5/pgxpool"
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "github.com/mattermost/xml-roundtrip-validator"
	_ "github.com/prometheus/client_golang/prometheus"
	_ "github.com/prometheus/client_golang/prometheus/promhttp"
	_ "github.com/russellhaering/goxmldsig"
	_ "golang.org/x/oauth2"
	_ "modernc.org/sqlite"
)
