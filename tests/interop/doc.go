// Package interop drives complete SSO logins through Seam against identity
// providers written by others: crewjam/saml's samlidp in process, a samlify
// (Node) SAML IdP and the oidc-provider (Node) OpenID Provider, with a plain
// HTTP client that follows redirects and submits auto-post forms. Everything
// is in the package's tests; see README.md.
package interop
