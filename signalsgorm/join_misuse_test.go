package signalsgorm_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/gosignals/signals"
	"github.com/gosignals/signals/modelsignals"
	"github.com/gosignals/signals/signalsgorm"
	"github.com/gosignals/signals/signalsgorm/internal/dbtest"
)

// AfterCommit refuses pre_* signals, which announce a change not made yet:
// the registration panics with an error wrapping ErrPreSignal that names
// the post_* signal to use, and leaves nothing connected.
func TestAfterCommitRefusesPreSignals(t *testing.T) {
	nop := func(context.Context, modelsignals.Save[Book]) error { return nil }
	tests := []struct {
		name, post string
		connect    func()
		sig        interface{ Receivers() []signals.ReceiverInfo }
	}{
		{"OnPreSave", "post_save", func() { signalsgorm.AfterCommit(modelsignals.OnPreSave, nop) }, modelsignals.PreSave},
		{"OnPreDelete", "post_delete", func() {
			signalsgorm.AfterCommit(modelsignals.OnPreDelete, func(context.Context, modelsignals.Delete[Book]) error { return nil })
		}, modelsignals.PreDelete},
		{"PreUpdate.ConnectFunc", "post_update", func() {
			signalsgorm.AfterCommit(modelsignals.PreUpdate.ConnectFunc, func(context.Context, modelsignals.UpdateEvent) error { return nil })
		}, modelsignals.PreUpdate},
		{"PreInit.ConnectFunc", "post_init", func() {
			signalsgorm.AfterCommit(modelsignals.PreInit.ConnectFunc, func(context.Context, modelsignals.PreInitEvent) error { return nil })
		}, modelsignals.PreInit},
	}
	for _, tt := range tests {
		before := len(tt.sig.Receivers())
		err := recovered(tt.connect)
		if !errors.Is(err, signalsgorm.ErrPreSignal) || !strings.Contains(err.Error(), tt.post) {
			t.Errorf("AfterCommit(%s) panicked with %v, want ErrPreSignal naming %s", tt.name, err, tt.post)
		}
		if n := len(tt.sig.Receivers()); n != before {
			t.Errorf("AfterCommit(%s) left %d receivers connected", tt.name, n-before)
		}
	}
}

// An after-commit receiver of m2m_changed gets the post_* actions only:
// the pre_* ones announce a change that, after the commit, is made.
func TestAfterCommitM2MPostActionsOnly(t *testing.T) {
	db := open(t, "sqlite")
	var got []string
	h := signalsgorm.AfterCommit(modelsignals.M2MChanged.ConnectFunc, func(_ context.Context, ev modelsignals.M2MEvent) error {
		got = append(got, ev.Action.String())
		return nil
	})
	t.Cleanup(func() { h.Disconnect() })
	b := Book{Title: "Dune"}
	if err := db.Create(&b).Error; err != nil {
		t.Fatal(err)
	}
	err := db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&b).Association("Tags").Append(&Tag{Name: "sf"}); err != nil {
			return err
		}
		return tx.Model(&b).Association("Tags").Clear()
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"post_add", "post_clear"}; !slices.Equal(got, want) {
		t.Fatalf("after-commit m2m_changed receiver got %q, want %q", got, want)
	}
}

// A second plugin on one database is refused with an error that names
// signalsgorm and says what to do, where GORM lets the plugin answer.
func TestInstallTwiceErrors(t *testing.T) {
	db := dbtest.Open(t, "sqlite")
	if err := signalsgorm.Install(db); err != nil {
		t.Fatal(err)
	}
	if err := signalsgorm.Install(db); err != nil {
		t.Fatalf("Install without options on an installed plugin = %v", err)
	}
	err := signalsgorm.Install(db, signalsgorm.Using("replica"))
	if !errors.Is(err, signalsgorm.ErrInstalled) || !strings.Contains(err.Error(), "first Install") {
		t.Fatalf("Install with options on an installed plugin = %v", err)
	}
	if signalsgorm.From(db).Using() != "default" {
		t.Fatal("the options changed the installed plugin")
	}
	// GORM answers a second db.Use itself, before asking the plugin.
	if err := db.Use(signalsgorm.New()); !errors.Is(err, gorm.ErrRegistered) {
		t.Fatalf("second db.Use = %v, want gorm.ErrRegistered", err)
	}

	// Under another name, the plugin sees its pool already wrapped.
	cfg := dbtest.Config()
	cfg.Plugins = map[string]gorm.Plugin{"signals-primary": signalsgorm.New()}
	db = dbtest.OpenConfig(t, "sqlite", cfg)
	err = db.Use(signalsgorm.New())
	if !errors.Is(err, signalsgorm.ErrInstalled) || !strings.Contains(err.Error(), "one plugin per database") {
		t.Fatalf("a second plugin under another name = %v", err)
	}
}
