// Package storetest is the conformance suite every store.Store
// implementation must pass. Backends call Run from their own tests.
package storetest

import (
	"context"
	"testing"

	"github.com/seamsso/seam/internal/store"
)

// Opener returns a fresh, empty, migrated store.
type Opener func(t *testing.T) store.Store

// Run executes every conformance case against stores from open.
func Run(t *testing.T, open Opener) {
	for _, c := range allCases() {
		t.Run(c.name, func(t *testing.T) {
			c.fn(t, open(t))
		})
	}
}

type testCase struct {
	name string
	fn   func(t *testing.T, s store.Store)
}

// allCases lists every domain's cases; each domain file provides one list.
func allCases() []testCase {
	var all []testCase
	for _, list := range [][]testCase{
		projectCases(),
		organizationCases(),
		connectionCases(),
		loginCases(),
		memberCases(),
		lifecycleCases(),
		sessionCases(),
		testIdPCases(),
		metadataRefreshCases(),
		sealedCases(),
		eventCases(),
		setupLinkCases(),
		scimCases(),
	} {
		all = append(all, list...)
	}
	return all
}

func ctx() context.Context { return context.Background() }
