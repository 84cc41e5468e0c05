package main

import (
	"context"

	"gorm.io/gorm"

	"github.com/gosignals/signals/benchmarks/internal/callgrind"
	"github.com/gosignals/signals/modelsignals"
)

// Entry is the model of the create, save and delete workloads.
type Entry struct {
	ID    uint
	Title string
	Pages int
}

// HookEntry is Entry with GORM hook methods, which count their calls.
type HookEntry struct {
	ID    uint
	Title string
	Pages int
}

// calls counts the calls of the receivers and hook methods.
var calls int

// BeforeSave is a GORM hook.
func (*HookEntry) BeforeSave(*gorm.DB) error { calls++; return nil }

// AfterSave is a GORM hook.
func (*HookEntry) AfterSave(*gorm.DB) error { calls++; return nil }

// BeforeDelete is a GORM hook.
func (*HookEntry) BeforeDelete(*gorm.DB) error { calls++; return nil }

// AfterDelete is a GORM hook.
func (*HookEntry) AfterDelete(*gorm.DB) error { calls++; return nil }

// connectReceivers connects a no-op receiver, counting its calls, to each
// of Entry's pre_save, post_save, pre_delete and post_delete signals.
func connectReceivers() {
	modelsignals.OnPreSave(func(context.Context, modelsignals.Save[Entry]) error { calls++; return nil })
	modelsignals.OnPostSave(func(context.Context, modelsignals.Save[Entry]) error { calls++; return nil })
	modelsignals.OnPreDelete(func(context.Context, modelsignals.Delete[Entry]) error { calls++; return nil })
	modelsignals.OnPostDelete(func(context.Context, modelsignals.Delete[Entry]) error { calls++; return nil })
}

// crud runs n operations op (create, save or delete) of one row each.
func crud(mode, op string, n int) (result, error) {
	db, err := open("crud", mode)
	if err != nil {
		return result{}, err
	}
	if err := db.AutoMigrate(&Entry{}, &HookEntry{}); err != nil {
		return result{}, err
	}
	if mode == "receivers" {
		connectReceivers()
	}
	hooks := mode == "hooks"
	// One call of each kind first, so that GORM's schema parsing and
	// statement caches are set up outside the measured functions.
	var entry any = &Entry{Title: "Dune"}
	pages := &entry.(*Entry).Pages
	if hooks {
		entry = &HookEntry{Title: "Dune"}
		pages = &entry.(*HookEntry).Pages
	}
	if err := db.Create(entry).Error; err != nil {
		return result{}, err
	}
	if err := db.Save(entry).Error; err != nil {
		return result{}, err
	}
	var doomed []any
	if op == "delete" {
		if doomed, err = seedDoomed(db, hooks, n+1); err != nil {
			return result{}, err
		}
		if err := db.Delete(doomed[n]).Error; err != nil {
			return result{}, err
		}
		doomed = doomed[:n]
	}
	calls = 0
	r := result{ops: n, rows: n}
	if mode == "receivers" || hooks {
		r.expected = 2 * n
	}
	a, err := callgrind.Measure(func() error {
		switch op {
		case "create":
			return runCreate(db, hooks, n)
		case "save":
			return runSave(db, entry, pages, n)
		}
		return runDelete(db, doomed)
	})
	r.allocs = a
	r.calls = calls
	return r, err
}

// seedDoomed inserts n rows, without hooks or signals, and returns
// pointers to them.
func seedDoomed(db *gorm.DB, hooks bool, n int) ([]any, error) {
	quiet := db.Session(&gorm.Session{SkipHooks: true})
	out := make([]any, n)
	var err error
	if hooks {
		bs := make([]HookEntry, n)
		for i := range bs {
			bs[i].Title, out[i] = "x", &bs[i]
		}
		err = quiet.CreateInBatches(&bs, 500).Error
	} else {
		bs := make([]Entry, n)
		for i := range bs {
			bs[i].Title, out[i] = "x", &bs[i]
		}
		err = quiet.CreateInBatches(&bs, 500).Error
	}
	return out, err
}

// runCreate creates n new rows, one Create each.
func runCreate(db *gorm.DB, hooks bool, n int) error {
	for range n {
		var err error
		if hooks {
			err = db.Create(&HookEntry{Title: "Dune", Pages: 412}).Error
		} else {
			err = db.Create(&Entry{Title: "Dune", Pages: 412}).Error
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// runSave saves entry n times, changing its pages each time: n UPDATEs.
func runSave(db *gorm.DB, entry any, pages *int, n int) error {
	for i := range n {
		*pages = i
		if err := db.Save(entry).Error; err != nil {
			return err
		}
	}
	return nil
}

// runDelete deletes each of entries, one Delete each.
func runDelete(db *gorm.DB, entries []any) error {
	for _, e := range entries {
		if err := db.Delete(e).Error; err != nil {
			return err
		}
	}
	return nil
}
