// Package samlverify holds benchmarks that compare Seam's SAML response
// verifier (internal/saml.VerifyResponse) with crewjam/saml's
// ServiceProvider.ParseResponse and gosaml2's
// SAMLServiceProvider.RetrieveAssertionInfo on identical inputs in the same
// run, plus the raw RSA operations that bound them from below.
//
// Everything lives in _test.go files: `go test ./bench/samlverify` runs the
// agreement tests (all three verifiers accept every fixture and reject its
// tampered twins), `go test -run '^$' -bench . -benchmem ./bench/samlverify`
// runs the benchmarks. Results and their reading are in BENCHMARKS.md at the
// repository root.
package samlverify
