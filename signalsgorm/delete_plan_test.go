package signalsgorm_test

import (
	"context"
	"testing"

	"github.com/gosignals/signals/modelsignals"
	"github.com/gosignals/signals/signalsgorm"
)

// DeletePlan describes a deletion without running it.
func TestDeletePlan(t *testing.T) {
	db, _ := openDelete(t, "sqlite")
	if err := signalsgorm.AutoMigrate(db, &Blog{}, &Note{}, &File{}); err != nil {
		t.Fatal(err)
	}
	p := signalsgorm.From(db)
	h := modelsignals.PreDelete.ConnectFunc(func(context.Context, modelsignals.DeleteEvent) error { return nil })
	plan, err := p.DeletePlan(&Writer{})
	h.Disconnect()
	if err != nil {
		t.Fatal(err)
	}
	want := `delete signalsgorm_test.Writer: rows read, signals sent
  Writer.Novels: signalsgorm_test.Novel CASCADE (constraint): rows read, signals sent
    Novel.Genres: signalsgorm_test.Novel_Genres CASCADE (many2many): one statement per relation, rows not read
    Novel.Reviews: signalsgorm_test.Review CASCADE (constraint): rows read, signals sent`
	if plan.String() != want || plan.FastPath || !plan.Steps[0].Signals || len(plan.Steps) != 4 || plan.Steps[0].Depth != 0 || plan.Steps[2].Depth != 2 {
		t.Fatalf("plan:\n%s\nwant:\n%s", plan, want)
	}

	for _, c := range []struct {
		plan  func(any) (signalsgorm.DeletePlan, error)
		model any
		want  string
	}{
		{p.DeletePlan, &Review{}, "delete signalsgorm_test.Review: one statement per relation, rows not read (fast path: one statement)"},
		{p.DeletePlan, &Target{}, `delete signalsgorm_test.Target: keys read
  Cascader.Target: signalsgorm_test.Cascader CASCADE (constraint): one statement per relation, rows not read
  Protector.Target: signalsgorm_test.Protector PROTECT (tag)
  Restricter.Target: signalsgorm_test.Restricter RESTRICT (constraint)
  Nuller.Target: signalsgorm_test.Nuller SET_NULL (constraint)
  Defaulter.Target: signalsgorm_test.Defaulter SET_DEFAULT (tag)
  Ignorer.Target: signalsgorm_test.Ignorer DO_NOTHING (tag): left to the database`},
		{p.DeletePlan, &Node{}, `delete signalsgorm_test.Node: keys read
  Node.Parent: signalsgorm_test.Node CASCADE (constraint): reached before`},
		{p.DeletePlan, &Blog{}, `soft delete signalsgorm_test.Blog: keys read
  Blog.Topics: signalsgorm_test.Blog_Topics CASCADE (many2many): not applied by a soft delete
  Blog.Notes: signalsgorm_test.Note CASCADE (constraint): one statement per relation, rows not read
  Blog.Files: signalsgorm_test.File CASCADE (constraint): not applied by a soft delete`},
		{p.UnscopedDeletePlan, &Blog{}, `delete signalsgorm_test.Blog: keys read
  Blog.Topics: signalsgorm_test.Blog_Topics CASCADE (many2many): one statement per relation, rows not read
  Blog.Notes: signalsgorm_test.Note CASCADE (constraint): one statement per relation, rows not read
  Blog.Files: signalsgorm_test.File CASCADE (constraint): one statement per relation, rows not read`},
	} {
		plan, err := c.plan(c.model)
		if err != nil || plan.String() != c.want {
			t.Fatalf("plan:\n%s\nwant:\n%s\n%v", plan, c.want, err)
		}
	}
	if _, err := p.DeletePlan(42); err == nil {
		t.Fatal("plan of an int")
	}
	if _, err := new(signalsgorm.Plugin).DeletePlan(&Writer{}); err == nil {
		t.Fatal("plan of an uninstalled plugin")
	}
}
