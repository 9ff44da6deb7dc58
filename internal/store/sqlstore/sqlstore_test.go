package sqlstore_test

import (
	"testing"

	"github.com/seamsso/seam/internal/store"
	"github.com/seamsso/seam/internal/store/storetest"
	"github.com/seamsso/seam/internal/testdb"
)

func TestConformance(t *testing.T) {
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			storetest.Run(t, func(t *testing.T) store.Store { return testdb.Open(t, backend) })
		})
	}
}
