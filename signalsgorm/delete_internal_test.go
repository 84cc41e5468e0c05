package signalsgorm

import (
	"testing"

	"github.com/gosignals/signals/signalsgorm/internal/collector"
)

// The public modes, loads and tag are the collector's.
func TestDeleteTypesMatchTheCollector(t *testing.T) {
	modes := map[OnDelete]collector.Mode{Cascade: collector.Cascade, Protect: collector.Protect, Restrict: collector.Restrict,
		SetNull: collector.SetNull, SetDefault: collector.SetDefault, DoNothing: collector.DoNothing}
	for m, c := range modes {
		if uint8(m) != uint8(c) || m.String() != c.String() {
			t.Errorf("%v is %d, the collector's %v %d", m, m, c, c)
		}
	}
	loads := map[Load]collector.Load{LoadNone: collector.LoadNone, LoadKeys: collector.LoadKeys, LoadRows: collector.LoadRows}
	for l, c := range loads {
		if uint8(l) != uint8(c) {
			t.Errorf("%v is %d, the collector's %d", l, l, c)
		}
	}
	if TagKey != collector.TagKey {
		t.Errorf("TagKey %q, the collector reads %q", TagKey, collector.TagKey)
	}
}
