package outbox_test

import (
	"sync"
	"testing"
	"time"

	"github.com/gosignals/signals/outbox"
)

func TestNewIDIsV7AndIncreasing(t *testing.T) {
	before := time.Now().Add(-time.Millisecond)
	prev := ""
	for i := 0; i < 10000; i++ {
		id := outbox.NewID()
		if !outbox.ValidID(id) || len(id) != outbox.MaxIDLen {
			t.Fatalf("%q is not a 36-character UUID", id)
		}
		if id[14] != '7' || !(id[19] >= '8' && id[19] <= 'b') {
			t.Fatalf("%q: version or variant wrong", id)
		}
		if id <= prev {
			t.Fatalf("IDs do not increase: %s then %s", prev, id)
		}
		prev = id
	}
	ts, ok := outbox.IDTime(prev)
	if !ok || ts.Before(before.Truncate(time.Millisecond)) || ts.After(time.Now().Add(time.Second)) {
		t.Fatalf("IDTime = %v, %v", ts, ok)
	}
}

func TestNewIDConcurrentUnique(t *testing.T) {
	const g, n = 8, 2000
	var mu sync.Mutex
	seen := make(map[string]bool, g*n)
	var wg sync.WaitGroup
	for range g {
		wg.Add(1)
		go func() {
			defer wg.Done()
			local := make([]string, n)
			for i := range local {
				local[i] = outbox.NewID()
			}
			mu.Lock()
			defer mu.Unlock()
			for _, id := range local {
				if seen[id] {
					t.Errorf("duplicate %s", id)
				}
				seen[id] = true
			}
		}()
	}
	wg.Wait()
}

func TestValidID(t *testing.T) {
	for id, want := range map[string]bool{
		"0193a5f2-7c1e-7b7a-9d0e-4c1f5e2b9a10": true,
		"0193A5F2-7C1E-7B7A-9D0E-4C1F5E2B9A10": true,
		"0193a5f2-7c1e-7b7a-9d0e-4c1f5e2b9a1":  false,
		"0193a5f2x7c1e-7b7a-9d0e-4c1f5e2b9a10": false,
		"0193a5f2-7c1e-7b7a-9d0e-4c1f5e2b9a1g": false,
		"":                                     false,
	} {
		if got := outbox.ValidID(id); got != want {
			t.Errorf("ValidID(%q) = %v", id, got)
		}
	}
	if _, ok := outbox.IDTime("0193a5f2-7c1e-4b7a-9d0e-4c1f5e2b9a10"); ok {
		t.Error("IDTime of a v4 UUID")
	}
}
