package httpapi_test

import (
	"fmt"
	"testing"

	"github.com/seamsso/seam/internal/apptest"
	"github.com/seamsso/seam/internal/testdb"
)

// BenchmarkSCIMCreateUser is one SCIM POST /Users of a new user per
// iteration, through the HTTP server, on each store: the in-process form of
// bench/scimprovision, for CPU profiles (BENCHMARKS.md §6):
//
//	go test -run '^$' -bench 'SCIMCreateUser/postgres' -benchtime 2000x -cpuprofile cpu.out ./internal/httpapi
func BenchmarkSCIMCreateUser(b *testing.B) {
	for _, backend := range testdb.Backends {
		b.Run(backend, func(b *testing.B) {
			e := apptest.New(b, backend)
			e.CreateOrg("Acme", "acme")
			c, _ := newSCIM(e, "acme", nil)
			b.ResetTimer()
			for i := range b.N {
				name := fmt.Sprintf("user%d@acme.test", i)
				c.must(201, c.do("POST", "/Users", scimUser(name, name, map[string]any{"externalId": fmt.Sprintf("ext-%d", i)})))
			}
		})
	}
}
