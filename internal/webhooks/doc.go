// Package webhooks delivers a project's events (internal/events) to its
// webhook endpoints, signed the way Svix signs Stytch's webhooks (the
// Standard Webhooks scheme): HMAC-SHA256 over "id.timestamp.body" with a
// whsec_ secret, in the svix-* and webhook-* headers, so that an application
// verifying Stytch's webhooks with the svix or standardwebhooks packages
// verifies Seam's unchanged.
//
// Service manages endpoints (API and CLI); Dispatcher fans events out to
// delivery rows and sends them, at least once, with retries, from any
// number of replicas.
package webhooks
