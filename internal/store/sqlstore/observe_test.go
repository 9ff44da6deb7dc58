package sqlstore_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/seamsso/seam/internal/store"
	"github.com/seamsso/seam/internal/store/sqlstore"
	"github.com/seamsso/seam/internal/testdb"
)

func TestObserveTimesStatementsAndTransactions(t *testing.T) {
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) { observeBackend(t, backend) })
	}
}

func observeBackend(t *testing.T, backend string) {
	{
		var mu sync.Mutex
		seen := map[string]int{}
		st := testdb.Open(t, backend)
		st.Observe(func(op string, d time.Duration) {
			mu.Lock()
			defer mu.Unlock()
			if d < 0 {
				t.Errorf("%s: negative duration %v", op, d)
			}
			seen[op]++
		})
		ctx := context.Background()
		if _, err := st.GetProject(ctx, "project-test-00000000-0000-4000-8000-000000000000"); err == nil {
			t.Fatal("an unknown project was found")
		}
		if err := st.Tx(ctx, func(q store.Queries) error {
			_, err := q.GetProject(ctx, "project-test-00000000-0000-4000-8000-000000000000")
			if err == nil {
				t.Fatal("an unknown project was found")
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		defer mu.Unlock()
		if seen["select"] != 2 || seen["transaction"] != 1 {
			t.Errorf("observed %v; want 2 selects (on the pool and in the transaction) and 1 transaction", seen)
		}
	}
}

func TestOperationOf(t *testing.T) {
	for q, want := range map[string]string{
		"SELECT 1": "select", "\n\t  select x FROM y": "select", "INSERT INTO t": "insert", "update t set": "update",
		"DELETE FROM t": "delete", "(SELECT 1)": "select", "WITH a AS (SELECT 1) SELECT * FROM a": "with",
		"VACUUM": "other", "": "other", "PRAGMA wal_checkpoint(TRUNCATE)": "other",
	} {
		if got := sqlstore.OperationOf(q); got != want {
			t.Errorf("operationOf(%q) = %q, want %q", q, got, want)
		}
	}
}
