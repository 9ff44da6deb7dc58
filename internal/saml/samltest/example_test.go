package samltest_test

import (
	"fmt"
	"time"

	"github.com/seamsso/seam/internal/saml/samltest"
)

// A login-service HTTP test posts a valid response, then hostile variants of
// it, to the ACS endpoint.
func ExampleIdP_Make() {
	now := time.Now()
	key, err := samltest.NewRSAKey(2048, "test-idp", now.Add(-time.Hour), now.Add(time.Hour))
	if err != nil {
		panic(err)
	}
	idp := &samltest.IdP{EntityID: "https://idp.example.com/metadata", Key: key}
	opts := samltest.Options{
		ResponseOptions: samltest.ResponseOptions{
			Now:          now,
			InResponseTo: "_request-id-stored-by-the-login-service",
			Destination:  "https://seam.example.com/v1/b2b/sso/callback/saml-connection-test-...",
			Audiences:    []string{"https://seam.example.com/v1/b2b/sso/callback/saml-connection-test-..."},
			NameID:       "ada@example.com",
			Attributes:   []samltest.Attribute{{Name: "email", Values: []string{"ada@example.com"}}},
		},
		SignResponse:  true,
		SignAssertion: true,
	}
	doc, err := idp.Make(opts)
	if err != nil {
		panic(err)
	}
	valid, _ := samltest.Encode(doc) // the SAMLResponse form value

	// Hostile: an evil assertion wrapped around the signed one (XSW4).
	opts.SignResponse = false
	doc, _ = idp.Make(opts)
	_ = samltest.XSW4(doc, "admin@evil.example")
	hostile, _ := samltest.Encode(doc)

	fmt.Println(len(valid) > 0, len(hostile) > 0)
	// Output: true true
}
