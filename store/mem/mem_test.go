package mem_test

import (
	"testing"

	"github.com/wiretrace/wiretrace/store"
	"github.com/wiretrace/wiretrace/store/mem"
	"github.com/wiretrace/wiretrace/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s := mem.New()
		t.Cleanup(func() { s.Close() })
		return s
	})
}

func BenchmarkStore(b *testing.B) {
	storetest.Bench(b, func(b *testing.B) store.Store {
		s := mem.New()
		b.Cleanup(func() { s.Close() })
		return s
	})
}
