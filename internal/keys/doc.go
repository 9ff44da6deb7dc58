// Package keys holds Seam's key material helpers: the at-rest Sealer that
// encrypts private keys and client secrets under the master key, master-key
// loading, strict PKCS#1 RSA private-key parsing, and self-signed certificate
// issue and parsing.
//
// Every parser here takes untrusted input from API clients, so each one caps
// its input size first, never panics, and returns sentinel errors whose
// messages never contain the key or certificate material.
package keys
