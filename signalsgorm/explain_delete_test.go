package signalsgorm_test

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/gosignals/signals"
	"github.com/gosignals/signals/modelsignals"
	"github.com/gosignals/signals/signalsgorm"
)

// cascadeOutline renders a delete plan, one model a line.
func cascadeOutline(c *signalsgorm.DeletePlan) []string {
	var out []string
	for _, r := range c.Steps {
		names := func(rs []signals.ReceiverInfo) string {
			var n []string
			for _, r := range rs {
				n = append(n, r.Name)
			}
			return strings.Join(n, ",")
		}
		line := strings.Repeat("  ", r.Depth) + r.Label
		if r.Relation != "" {
			line += " via " + r.Relation + " " + r.OnDelete.String()
		}
		if !r.Signals {
			line += " (no signals)"
		} else {
			line += " pre=" + names(r.PreDelete) + " post=" + names(r.PostDelete)
		}
		out = append(out, line)
	}
	return out
}

// Explain of a deletion includes the collector's plan: every model the
// deletion reaches, the on_delete of each relation, whether its rows get
// signals, and the receivers they would get; and it agrees with what the
// deletion then does, as a trace shows.
func TestExplainDeleteCascade(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db, _ := openDelete(t, dialect)
		nop := func(context.Context, modelsignals.DeleteEvent) error { return nil }
		connect(t, modelsignals.PreDelete, nop, signals.Name("review audit"), signals.Sender(reflect.TypeFor[Review]()))
		connect(t, modelsignals.PostDelete, nop, signals.Name("novel cache"), signals.Sender(reflect.TypeFor[Novel]()),
			signals.Mode("after_commit"))

		x, err := signalsgorm.Explain(db, &Writer{}, signalsgorm.OpDelete)
		if err != nil {
			t.Fatal(err)
		}
		checkSteps(t, x,
			"signal pre_delete: ",
			"sql DELETE FROM writers",
			"signal post_delete: ",
		)
		got, want := cascadeOutline(x.Cascade), []string{
			"signalsgorm_test.Writer (no signals)",
			"  signalsgorm_test.Novel via Writer.Novels CASCADE pre= post=novel cache",
			"    signalsgorm_test.Novel_Genres via Novel.Genres CASCADE (no signals)",
			"    signalsgorm_test.Review via Novel.Reviews CASCADE pre=review audit post=",
		}
		checkLines(t, "cascade", got, want)
		if x.Cascade.FastPath || x.Cascade.Soft {
			t.Fatalf("plan %+v", x.Cascade)
		}
		text := x.String()
		if !strings.Contains(text, "  - signalsgorm_test.Writer (deleted), signals false\n") ||
			!strings.Contains(text, "      - signalsgorm_test.Review via Novel.Reviews, on delete CASCADE, acts true, signals true\n") ||
			!strings.Contains(text, "pre_delete: review audit") {
			t.Fatalf("String():\n%s", text)
		}

		// The deletion does what the plan said: the reviews and novels get
		// their signals, the writer and the join rows none.
		w := Writer{Name: "w", Novels: []Novel{{Title: "n", Reviews: []Review{{Stars: 5}}}}}
		if err := db.Create(&w).Error; err != nil {
			t.Fatal(err)
		}
		ctx, tr := signals.StartTrace(t.Context(), "delete writer")
		if err := db.WithContext(ctx).Delete(&w).Error; err != nil {
			t.Fatal(err)
		}
		tr.Stop()
		var sends []string
		for _, s := range tr.Steps() {
			if s.Kind == signals.StepSend {
				sends = append(sends, s.Name+" "+s.Sender)
			}
		}
		if strings.Join(sends, ", ") != "pre_delete signalsgorm_test.Review, post_delete signalsgorm_test.Novel" {
			t.Fatalf("sends %v", sends)
		}

		// Nothing refers to a loan and no receiver listens: GORM's single
		// DELETE.
		x, err = signalsgorm.Explain(db, &Loan{}, signalsgorm.OpDelete)
		if err != nil {
			t.Fatal(err)
		}
		if !x.Cascade.FastPath || len(x.Cascade.Steps) != 1 || x.Cascade.Steps[0].Signals {
			t.Fatalf("Loan plan %+v", x.Cascade)
		}
	})
}
