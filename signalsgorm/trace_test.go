package signalsgorm_test

import (
	"context"
	"errors"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/gosignals/signals"
	"github.com/gosignals/signals/modelsignals"
	"github.com/gosignals/signals/signalsgorm"
)

var tableOf = regexp.MustCompile("(?:INTO|UPDATE|FROM) [`\"]?([a-z_]+)")

// traceOutline renders a trace as "depth kind name outcome" lines, SQL
// shortened to its verb and first table ("sql INSERT books"), so that it
// reads the same on every database.
func traceOutline(tr *signals.Trace) []string {
	var out []string
	for _, s := range tr.Steps() {
		name := s.Name
		if s.Kind == signals.StepSQL {
			verb, _, _ := strings.Cut(name, " ")
			table := ""
			if m := tableOf.FindStringSubmatch(name); m != nil {
				table = " " + m[1]
			}
			name = verb + table
		}
		line := strings.Repeat("  ", s.Depth) + s.Kind + " " + name + " " + s.Outcome.String()
		out = append(out, line)
	}
	return out
}

func checkTrace(t *testing.T, tr *signals.Trace, want ...string) {
	t.Helper()
	got := traceOutline(tr)
	checkLines(t, "trace", got, want)
}

// A traced save shows pre_save, the INSERT and post_save in firing order;
// what a receiver writes through DB(ctx, db) nests under it.
func TestTraceSave(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db := open(t, dialect)
		h1 := modelsignals.OnPreSave(func(_ context.Context, ev modelsignals.Save[Book]) error {
			if ev.Instance.Title == "" {
				ev.Instance.Title = "Untitled"
			}
			return nil
		}, signals.Name("default title"))
		h2 := modelsignals.OnPostSave(func(ctx context.Context, ev modelsignals.Save[Book]) error {
			if !ev.Created {
				return nil
			}
			return signalsgorm.DB(ctx, db).Create(&Tag{Name: "new"}).Error
		}, signals.Name("tag new books"))
		t.Cleanup(func() { h1.Disconnect(); h2.Disconnect() })

		ctx, tr := signals.StartTrace(t.Context(), "create book")
		b := Book{Pages: 10}
		if err := db.WithContext(ctx).Create(&b).Error; err != nil {
			t.Fatal(err)
		}
		// Untraced statements meanwhile are not recorded.
		if err := db.Create(&Book{Title: "other"}).Error; err != nil {
			t.Fatal(err)
		}
		tr.Stop()
		checkTrace(t, tr,
			"send pre_save ok",
			"  receiver default title ok",
			"sql INSERT books ok",
			"send post_save ok",
			"  receiver tag new books ok",
			"    sql INSERT tags ok",
		)
		steps := tr.Steps()
		if s := steps[2]; !strings.Contains(s.Name, "books") || s.Detail != "rows=1" || s.Duration <= 0 || s.Start < steps[0].Start+steps[0].Duration {
			t.Fatalf("SQL step %+v", s)
		}
		if s := steps[0]; s.Sender != "signalsgorm_test.Book" {
			t.Fatalf("send step sender %q", s.Sender)
		}

		// An update and a query.
		post := modelsignals.OnPostInit(func(context.Context, modelsignals.Init[Book]) error { return nil }, signals.Name("loaded"))
		t.Cleanup(func() { post.Disconnect() })
		ctx, tr = signals.StartTrace(t.Context(), "update and read")
		b.Pages = 11
		if err := db.WithContext(ctx).Save(&b).Error; err != nil {
			t.Fatal(err)
		}
		var got Book
		if err := db.WithContext(ctx).First(&got, b.ID).Error; err != nil {
			t.Fatal(err)
		}
		if err := db.WithContext(ctx).Exec("UPDATE books SET pages = pages + 1").Error; err != nil {
			t.Fatal(err)
		}
		var n int
		if err := db.WithContext(ctx).Raw("SELECT count(*) FROM books").Row().Scan(&n); err != nil {
			t.Fatal(err)
		}
		tr.Stop()
		// The row count is given when GORM knows it, and not for Row and
		// Rows (RowsAffected -1).
		var details []string
		for _, s := range tr.Steps() {
			if s.Kind == signals.StepSQL {
				details = append(details, s.Detail)
			}
		}
		if want := []string{"rows=1", "rows=1", "rows=2", ""}; !slices.Equal(details, want) {
			t.Errorf("SQL steps' details %q, want %q", details, want)
		}
		checkTrace(t, tr,
			"send pre_save ok",
			"  receiver default title ok",
			"sql UPDATE books ok",
			"send post_save ok",
			"  receiver tag new books ok",
			"sql SELECT books ok",
			"send post_init ok",
			"  receiver loaded ok",
			"sql UPDATE books ok", // raw SQL
			"sql SELECT books ok",
		)
	})
}

// A failing statement is recorded with its error, and a pre_save veto
// stops the statement before any SQL.
func TestTraceSQLErrors(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db := open(t, dialect)
		b := Book{Title: "x"}
		if err := db.Create(&b).Error; err != nil {
			t.Fatal(err)
		}
		ctx, tr := signals.StartTrace(t.Context(), "errors")
		if err := db.WithContext(ctx).Create(&Book{ID: b.ID, Title: "dup"}).Error; err == nil {
			t.Fatal("inserting a duplicate key succeeded")
		}
		h := modelsignals.OnPreSave(func(context.Context, modelsignals.Save[Book]) error {
			return context.Canceled
		}, signals.Name("veto"))
		t.Cleanup(func() { h.Disconnect() })
		if err := db.WithContext(ctx).Create(&Book{Title: "vetoed"}).Error; err == nil {
			t.Fatal("the veto did not stop the create")
		}
		tr.Stop()
		checkTrace(t, tr,
			"sql INSERT books error",
			"send pre_save error",
			"  receiver veto error",
		)
		if s := tr.Steps()[0]; s.Err == "" || s.Detail != "" {
			t.Fatalf("failed SQL step %+v", s)
		}
	})
}

// The SQL step sits between the signals the plugin sends around it, also
// for bulk updates (pre_update reads the affected keys first) and
// many-to-many changes.
func TestTraceBulkAndM2M(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db := open(t, dialect)
		b := Book{Title: "x", Pages: 1}
		tag := Tag{Name: "sf"}
		if err := db.Create(&b).Error; err != nil {
			t.Fatal(err)
		}
		if err := db.Create(&tag).Error; err != nil {
			t.Fatal(err)
		}
		nopUpdate := func(context.Context, modelsignals.UpdateEvent) error { return nil }
		nopM2M := func(context.Context, modelsignals.M2MEvent) error { return nil }
		connect(t, modelsignals.PreUpdate, nopUpdate, signals.Name("before bulk"))
		connect(t, modelsignals.PostUpdate, nopUpdate, signals.Name("after bulk"))
		connect(t, modelsignals.M2MChanged, nopM2M, signals.Name("links"))

		ctx, tr := signals.StartTrace(t.Context(), "bulk")
		if err := db.WithContext(ctx).Model(&Book{}).Where("pages > ?", 0).Update("pages", 5).Error; err != nil {
			t.Fatal(err)
		}
		tr.Stop()
		checkTrace(t, tr,
			"sql SELECT books ok", // the keys of the rows the update affects
			"send pre_update ok",
			"  receiver before bulk ok",
			"sql UPDATE books ok",
			"send post_update ok",
			"  receiver after bulk ok",
		)

		ctx, tr = signals.StartTrace(t.Context(), "m2m")
		if err := db.WithContext(ctx).Model(&b).Association("Tags").Append(&tag); err != nil {
			t.Fatal(err)
		}
		tr.Stop()
		got := strings.Join(traceOutline(tr), "\n")
		pre := strings.Index(got, "send m2m_changed ok\n  receiver links ok\nsql INSERT book_tags ok")
		post := strings.LastIndex(got, "send m2m_changed ok")
		if pre < 0 || post <= pre {
			t.Fatalf("m2m trace: want pre_add, the join-row INSERT, post_add in that order:\n%s", got)
		}
	})
}

// On-commit callbacks are steps of the trace they were registered in,
// nested under the after-commit receiver that registered them, and run
// after the transaction's statements.
func TestTraceOnCommit(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db := open(t, dialect, signalsgorm.Logger(slog.New(slog.DiscardHandler)))
		h := signalsgorm.AfterCommit(modelsignals.OnPostSave, func(context.Context, modelsignals.Save[Book]) error {
			return errors.New("index down")
		}, signals.Name("index"))
		t.Cleanup(func() { h.Disconnect() })
		ctx, tr := signals.StartTrace(t.Context(), "commit")
		err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			if err := tx.Create(&Book{Title: "a"}).Error; err != nil {
				return err
			}
			return tx.Create(&Book{Title: "b"}).Error
		})
		if err != nil {
			t.Fatal(err)
		}
		tr.Stop()
		checkTrace(t, tr,
			"sql INSERT books ok",
			"send post_save ok",
			"  receiver index ok", // registers the callback
			"sql INSERT books ok",
			"send post_save ok",
			"  receiver index ok",
			"    on_commit index error", // robust: logged, and shown
			"    on_commit index error",
		)
		steps := tr.Steps()
		if steps[6].Parent != 2 || steps[7].Parent != 5 || steps[6].Start < steps[4].Start || steps[6].Err != "index down" {
			t.Fatalf("on-commit steps %+v, %+v", steps[6], steps[7])
		}
	})
}
