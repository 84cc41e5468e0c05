package signalsgorm_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/gosignals/signals"
	"github.com/gosignals/signals/modelsignals"
	"github.com/gosignals/signals/signalsgorm"
	"github.com/gosignals/signals/signalsgorm/internal/dbtest"
)

func nop[E any](context.Context, E) error { return nil }

// stepsOutline renders the steps as "kind name: receiver, receiver".
func stepsOutline(x *signalsgorm.Explanation) []string {
	var out []string
	for _, s := range x.Steps {
		line := s.Kind + " " + s.Name
		if s.Relation != "" {
			line += " " + s.Relation + "/" + s.Table
		}
		if s.Kind == signalsgorm.ExplainSignal {
			var names []string
			for _, r := range s.Receivers {
				names = append(names, r.Name+"["+r.Mode+"]")
			}
			line += ": " + strings.Join(names, ", ")
		}
		out = append(out, line)
	}
	return out
}

func checkSteps(t *testing.T, x *signalsgorm.Explanation, want ...string) {
	t.Helper()
	got := stepsOutline(x)
	checkLines(t, "steps", got, want)
}

func TestExplainSave(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db := open(t, dialect)
		hs := []*signals.Handle{
			modelsignals.OnPostSave(nop[modelsignals.Save[Book]], signals.Name("index"), signals.Mode("after_commit"), signals.UID("idx")),
			modelsignals.PreSave.ConnectFunc(nop[modelsignals.SaveEvent], signals.Name("audit all")),
			modelsignals.OnPreSave(nop[modelsignals.Save[Book]], signals.Name("slug"), signals.Priority(1)),
			modelsignals.OnPreSave(nop[modelsignals.Save[Tag]], signals.Name("tag only")),
		}
		t.Cleanup(func() {
			for _, h := range hs {
				h.Disconnect()
			}
		})
		x, err := signalsgorm.Explain(db, &Book{}, signalsgorm.OpCreate)
		if err != nil {
			t.Fatal(err)
		}
		checkSteps(t, x,
			"signal pre_save: slug[inline], audit all[inline]",
			"sql INSERT INTO books",
			"signal post_save: index[after_commit]",
		)
		idx := x.Steps[2].Receivers[0]
		if idx.UID != "idx" || !strings.HasSuffix(idx.File, "explain_test.go") || idx.Line == 0 ||
			idx.Sender != reflect.TypeFor[Book]() || x.Model.Label != "signalsgorm_test.Book" {
			t.Fatalf("post_save receiver %+v of %v", idx, x.Model)
		}
		notes := strings.Join(x.Notes, "\n")
		if !strings.Contains(notes, "saved first, each with its own signals: Author") ||
			!strings.Contains(notes, "after the INSERT INTO, each with its own signals: Tags") {
			t.Fatalf("notes %q", notes)
		}
		text := x.String()
		for _, want := range []string{"create signalsgorm_test.Book", " 1. signal pre_save: 2 receiver(s)",
			"explain_test.go:", "[after_commit] uid=idx", "audit all", "(every sender)"} {
			if !strings.Contains(text, want) {
				t.Fatalf("String() lacks %q:\n%s", want, text)
			}
		}

		// GORM's hook methods run around the signals.
		x, err = signalsgorm.Explain(db, []Hooked{}, signalsgorm.OpUpdate)
		if err != nil {
			t.Fatal(err)
		}
		checkSteps(t, x,
			"hook BeforeSave",
			"signal pre_save: audit all[inline]",
			"sql UPDATE hookeds",
			"hook AfterSave",
			"signal post_save: ",
		)
	})
}

func TestExplainDeleteAndM2M(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db := open(t, dialect)
		through, err := signalsgorm.Through(db, &Book{}, "Tags")
		if err != nil {
			t.Fatal(err)
		}
		join := through.Type
		hs := []*signals.Handle{
			modelsignals.OnPreDelete(nop[modelsignals.Delete[Book]], signals.Name("archive")),
			modelsignals.PostDelete.ConnectFunc(nop[modelsignals.DeleteEvent], signals.Name("purge cache"), signals.Mode("durable")),
			modelsignals.M2MChanged.ConnectFunc(nop[modelsignals.M2MEvent], signals.Name("retag"), signals.Sender(join)),
			modelsignals.M2MChanged.ConnectFunc(nop[modelsignals.M2MEvent], signals.Name("other join"), signals.Sender("another join model")),
		}
		t.Cleanup(func() {
			for _, h := range hs {
				h.Disconnect()
			}
		})
		x, err := signalsgorm.Explain(db, Book{}, signalsgorm.OpDelete)
		if err != nil {
			t.Fatal(err)
		}
		checkSteps(t, x,
			"signal pre_delete: archive[inline]",
			"sql DELETE FROM books",
			"signal post_delete: purge cache[durable]",
		)
		// The book's rows get the signals; its join rows are deleted by a
		// statement, without signals.
		if c := x.Cascade; c == nil || len(c.Steps) != 2 || !c.Steps[0].Signals || len(c.Steps[0].PreDelete) != 1 ||
			c.Steps[1].Relation != "Book.Tags" || c.Steps[1].Signals {
			t.Fatalf("cascade %+v", x.Cascade)
		}

		x, err = signalsgorm.Explain(db, &Book{}, signalsgorm.OpM2M)
		if err != nil {
			t.Fatal(err)
		}
		checkSteps(t, x, "signal m2m_changed Tags/book_tags: retag[inline]")
		if x.Steps[0].Model != through {
			t.Fatalf("m2m step sender %v, want the join model %v", x.Steps[0].Model, through)
		}
		x, err = signalsgorm.Explain(db, &Tag{}, signalsgorm.OpM2M)
		if err != nil || len(x.Steps) != 0 || !strings.Contains(x.Notes[0], "no many-to-many relation") {
			t.Fatalf("Tag m2m: %v, %v", x, err)
		}
	})
}

func TestExplainErrors(t *testing.T) {
	db := open(t, "sqlite")
	if _, err := signalsgorm.Explain(db, &Book{}, "upsert"); err == nil || !strings.Contains(err.Error(), `unknown operation "upsert"`) {
		t.Fatalf("unknown op: %v", err)
	}
	if _, err := signalsgorm.Explain(db, 42, signalsgorm.OpCreate); !errors.Is(err, modelsignals.ErrNotModel) {
		t.Fatalf("non-model: %v", err)
	}
	bare := dbtest.Open(t, "sqlite")
	if _, err := signalsgorm.Explain(bare, &Book{}, signalsgorm.OpCreate); err == nil || !strings.HasPrefix(err.Error(), "signalsgorm: ") {
		t.Fatalf("without the plugin: %v", err)
	}
	if _, err := signalsgorm.New().Explain(&Book{}, signalsgorm.OpCreate); err == nil || !strings.Contains(err.Error(), "not initialized") {
		t.Fatalf("uninitialized plugin: %v", err)
	}
	// Explain registers nothing: it sends no class_prepared.
	type Unseen struct{ ID uint }
	if _, err := signalsgorm.Explain(db, &Unseen{}, signalsgorm.OpCreate); err != nil {
		t.Fatal(err)
	}
	if modelsignals.Lookup(reflect.TypeFor[Unseen]()) != nil {
		t.Fatal("Explain registered the model")
	}
}
