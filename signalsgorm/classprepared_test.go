package signalsgorm_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gosignals/signals/modelsignals"
)

// A class_prepared receiver may use the ORM (which registers more models)
// without deadlocking on the registry.
func TestClassPreparedReceiverUsesTheORM(t *testing.T) {
	type Shelf struct {
		ID   uint
		Name string
	}
	type Bin struct {
		ID   uint
		Name string
	}
	db := open(t, "sqlite")
	db.AutoMigrate(&Shelf{}, &Bin{})
	connect(t, modelsignals.ClassPrepared, func(ctx context.Context, ev modelsignals.ClassPreparedEvent) error {
		if strings.HasSuffix(ev.Model.Label, ".Shelf") {
			var bins []Bin
			return db.WithContext(ctx).Find(&bins).Error
		}
		return nil
	})
	done := make(chan error, 1)
	go func() { done <- db.Create(&Shelf{Name: "A"}).Error }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("deadlock: a class_prepared receiver that queries another model hangs")
	}
}
