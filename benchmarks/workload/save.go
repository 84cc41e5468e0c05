package workload

import (
	"context"
	"fmt"
	"strconv"

	"gorm.io/gorm"

	"github.com/gosignals/signals/modelsignals"
)

// The save workload: n new entries, each written by its own Create, in one
// transaction, with a pre_save and a post_save receiver (Django: n calls of
// Entry(...).save() inside transaction.atomic(), receivers connected with
// sender=Entry).

// SaveCounts counts the calls of the save workload's receivers.
type SaveCounts struct{ Pre, Post int }

// ConnectSaveReceivers connects a pre_save and a post_save receiver for
// Entry that count into the returned SaveCounts; disconnect disconnects
// them.
func ConnectSaveReceivers() (counts *SaveCounts, disconnect func()) {
	c := &SaveCounts{}
	pre := modelsignals.OnPreSave(func(context.Context, modelsignals.Save[Entry]) error {
		c.Pre++
		return nil
	})
	post := modelsignals.OnPostSave(func(context.Context, modelsignals.Save[Entry]) error {
		c.Post++
		return nil
	})
	return c, func() { pre.Disconnect(); post.Disconnect() }
}

// SaveEntries creates n entries, one Create each, in one transaction.
func SaveEntries(db *gorm.DB, n int) error {
	return db.Transaction(func(tx *gorm.DB) error {
		for i := range n {
			e := Entry{Title: "entry " + strconv.Itoa(i), Pages: i}
			if err := tx.Create(&e).Error; err != nil {
				return err
			}
		}
		return nil
	})
}

// SaveHookEntries is SaveEntries for HookEntry, whose hook methods count
// into h.
func SaveHookEntries(db *gorm.DB, n int, h *Hooks) error {
	return db.Transaction(func(tx *gorm.DB) error {
		for i := range n {
			e := HookEntry{Title: "entry " + strconv.Itoa(i), Pages: i, hooks: h}
			if err := tx.Create(&e).Error; err != nil {
				return err
			}
		}
		return nil
	})
}

// Clear deletes every row of the workloads' tables with plain SQL, sending
// nothing; the benchmarks clear before each run, outside the timing.
func Clear(db *gorm.DB) error {
	for _, t := range []string{"comments", "books", "authors", "entries", "hook_entries"} {
		if err := db.Exec("DELETE FROM " + t).Error; err != nil {
			return fmt.Errorf("workload: clearing %s: %w", t, err)
		}
	}
	return nil
}
