package digestcache

import (
	"crypto/sha256"
	"fmt"
	"testing"
)

func TestCacheIsBounded(t *testing.T) {
	for _, max := range []int{0, 3} {
		c := Cache[int]{Max: max}
		want := max
		if want == 0 {
			want = DefaultMax
		}
		var last Key
		for i := 0; i < want+10; i++ {
			last = sha256.Sum256([]byte(fmt.Sprint(i)))
			c.Put(last, i)
		}
		if v, ok := c.Get(last); c.Len() != want || !ok || v != want+9 {
			t.Fatalf("Max %d: %d entries, newest %v %v", max, c.Len(), v, ok)
		}
		// Storing a key again replaces its value and drops nothing.
		c.Put(last, -1)
		if v, _ := c.Get(last); c.Len() != want || v != -1 {
			t.Fatalf("Max %d: after a repeated Put, %d entries, value %v", max, c.Len(), v)
		}
	}
	var c Cache[string]
	if _, ok := c.Get(Key{}); ok {
		t.Error("an empty cache has an entry")
	}
}
