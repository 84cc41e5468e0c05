package signalsgorm_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/gosignals/signals"
	"github.com/gosignals/signals/modelsignals"
	"github.com/gosignals/signals/signalsgorm"
	"github.com/gosignals/signals/signalsgorm/internal/dbtest"
)

// typedLog records typed m2m events as "who action #instance pks removed=keys [reverse]".
type typedLog struct{ lines []string }

func typedRecv[M any](log *typedLog, who string) func(context.Context, modelsignals.M2M[M, uint]) error {
	return func(_ context.Context, ev modelsignals.M2M[M, uint]) error {
		line := fmt.Sprintf("%s %v #%v %v removed=%v", who, ev.Action, idOf(ev.Instance), ev.PKSet, ev.Removed)
		if ev.PKSet == nil {
			line = fmt.Sprintf("%s %v #%v nil removed=%v", who, ev.Action, idOf(ev.Instance), ev.Removed)
		}
		if ev.Reverse {
			line += " reverse"
		}
		log.lines = append(log.lines, line)
		return nil
	}
}

func (l *typedLog) check(t *testing.T, want ...string) {
	t.Helper()
	if got := strings.Join(l.lines, "\n"); got != strings.Join(want, "\n") {
		t.Fatalf("got\n\t%s\nwant\n\t%s", strings.ReplaceAll(got, "\n", "\n\t"), strings.Join(want, "\n\t"))
	}
	l.lines = nil
}

// A typed receiver of Post.Labels gets the changes made through post.Labels
// with a *Post and []uint keys, and one of Label.Posts the changes made
// from the other side, with Reverse set (Django's reverse=True); they are
// called in one sequence with the join model's receivers, by priority and
// registration.
func TestOnM2MChangedForwardAndReverse(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db := openM2M(t, dialect)
		var log typedLog
		join := through(t, db, &Post{}, "Labels")
		handles := []*signals.Handle{
			modelsignals.M2MChanged.ConnectFunc(func(_ context.Context, ev modelsignals.M2MEvent) error {
				log.lines = append(log.lines, "join "+ev.Action.String())
				return nil
			}, signals.Sender(join.Type)),
			modelsignals.OnM2MChanged("Labels", typedRecv[Post](&log, "fwd")),
			modelsignals.OnM2MChanged("Labels", typedRecv[Post](&log, "fwd first"), signals.Priority(1)),
			modelsignals.OnM2MChanged("Posts", typedRecv[Label](&log, "rev")),
		}
		t.Cleanup(func() {
			for _, h := range handles {
				h.Disconnect()
			}
		})
		if info := handles[1].Info(); info.Sender != (modelsignals.M2MField{Model: reflect.TypeFor[Post](), Field: "Labels"}) ||
			!strings.HasSuffix(info.File, "m2m_typed_test.go") || !strings.Contains(info.Func, "typedRecv") {
			t.Fatalf("typed receiver info %+v", info)
		}
		labels := []Label{{Name: "go"}, {Name: "sql"}, {Name: "k8s"}}
		mustCreate(t, db, &labels)
		post := Post{Title: "p"}
		mustCreate(t, db, &post)

		if err := db.Model(&post).Association("Labels").Append(&labels[0], &labels[1]); err != nil {
			t.Fatal(err)
		}
		log.check(t, "fwd first pre_add #1 [1 2] removed=[]", "join pre_add", "fwd pre_add #1 [1 2] removed=[]",
			"fwd first post_add #1 [1 2] removed=[]", "join post_add", "fwd post_add #1 [1 2] removed=[]")

		// From the other side: only the reverse receiver, and the join model's.
		other := Post{Title: "q"}
		mustCreate(t, db, &other)
		if err := db.Model(&labels[2]).Association("Posts").Append(&post, &other); err != nil {
			t.Fatal(err)
		}
		log.check(t, "join pre_add", "rev pre_add #3 [1 2] removed=[] reverse", "join post_add", "rev post_add #3 [1 2] removed=[] reverse")

		// A remove of keys partly linked: PKSet has every key given, Removed
		// those that were linked.
		if err := db.Model(&post).Association("Labels").Delete(&labels[1], &labels[2], &Label{ID: 99}); err != nil {
			t.Fatal(err)
		}
		log.check(t, "fwd first pre_remove #1 [2 3 99] removed=[2 3]", "join pre_remove", "fwd pre_remove #1 [2 3 99] removed=[2 3]",
			"fwd first post_remove #1 [2 3 99] removed=[2 3]", "join post_remove", "fwd post_remove #1 [2 3 99] removed=[2 3]")

		if err := db.Model(&labels[2]).Association("Posts").Clear(); err != nil {
			t.Fatal(err)
		}
		log.check(t, "join pre_clear", "rev pre_clear #3 nil removed=[2] reverse", "join post_clear", "rev post_clear #3 nil removed=[2] reverse")
	})
}

// Bookcase and Volume are known to no other test: the typed receivers below
// are connected before the plugin meets them.
type Bookcase struct {
	ID      uint
	Volumes []Volume `gorm:"many2many:bookcase_volumes"`
}

type Volume struct {
	ID    uint
	Title string
}

// A typed receiver connected before the plugin knows its model is called
// once the plugin meets the relation, for every database it is used with;
// K any gets the keys as the model declares them.
func TestOnM2MChangedBeforeTheModelIsKnown(t *testing.T) {
	var log typedLog
	var keys []any
	h1 := modelsignals.OnM2MChanged("Volumes", typedRecv[Bookcase](&log, "bookcase"))
	h2 := modelsignals.OnM2MChanged("Volumes", func(_ context.Context, ev modelsignals.M2M[Bookcase, any]) error {
		keys = append(keys, ev.PKSet...)
		return nil
	})
	t.Cleanup(func() { h1.Disconnect(); h2.Disconnect() })
	each(t, func(t *testing.T, dialect string) {
		db := dbtest.Open(t, dialect, dbtest.Use(signalsgorm.New()), dbtest.Migrate(&Bookcase{}, &Volume{}))
		keys = nil
		vols := []Volume{{Title: "a"}, {Title: "b"}}
		mustCreate(t, db, &vols)
		shelf := Bookcase{Volumes: vols}
		mustCreate(t, db, &shelf)
		log.check(t, "bookcase pre_add #1 [1 2] removed=[]", "bookcase post_add #1 [1 2] removed=[]")
		if fmt.Sprintf("%#v", keys) != "[]interface {}{0x1, 0x2, 0x1, 0x2}" {
			t.Fatalf("keys %#v, want the uint keys twice", keys)
		}
	})
}

// A counter kept with PKSet for adds and Removed for removes and clears
// matches the join table, whatever keys a remove is given.
func TestM2MRemovedKeepsCountersRight(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db := openM2M(t, dialect)
		uses := map[uint]int{}
		h := modelsignals.OnM2MChanged("Labels", func(_ context.Context, ev modelsignals.M2M[Post, uint]) error {
			switch ev.Action {
			case modelsignals.PostAdd:
				for _, k := range ev.PKSet {
					uses[k]++
				}
			case modelsignals.PostRemove, modelsignals.PostClear:
				for _, k := range ev.Removed {
					uses[k]--
				}
			}
			return nil
		})
		t.Cleanup(func() { h.Disconnect() })
		labels := []Label{{Name: "a"}, {Name: "b"}, {Name: "c"}}
		mustCreate(t, db, &labels)
		p1, p2 := Post{Title: "1", Labels: labels[:2]}, Post{Title: "2", Labels: labels[1:]}
		mustCreate(t, db, &p1)
		mustCreate(t, db, &p2)
		steps := []func() error{
			func() error { return db.Model(&p1).Association("Labels").Delete(&labels[0], &labels[2]) }, // c not linked
			func() error { return db.Model(&p1).Association("Labels").Delete(&labels[0]) },             // nothing linked
			func() error { return db.Model(&p2).Association("Labels").Append(&labels[0], &labels[1]) }, // b linked already
			func() error { return db.Model(&[]Post{p1, p2}).Association("Labels").Delete(&labels[1]) }, // two owners
			func() error { return db.Model(&p2).Association("Labels").Replace(&labels[0]) },
			func() error { return db.Model(&p2).Association("Labels").Clear() },
		}
		for i, step := range steps {
			if err := step(); err != nil {
				t.Fatal(err)
			}
			for _, l := range labels {
				var n int64
				if err := db.Table("post_labels").Where("label_id = ?", l.ID).Count(&n).Error; err != nil {
					t.Fatal(err)
				}
				if int64(uses[l.ID]) != n {
					t.Fatalf("step %d: label %d counted %d uses, the join table has %d", i, l.ID, uses[l.ID], n)
				}
			}
		}
	})
}

// Connecting m2m_changed with a model type as sender, a receiver that would
// never be called, panics with ErrM2MSender and names the right call; so do
// OnM2MChanged for a field the model lacks or with the wrong key type.
func TestM2MWrongSenderRefused(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db := openM2M(t, dialect)
		join := through(t, db, &Post{}, "Labels") // the plugin knows the relation
		through(t, db, &Label{}, "Posts")
		nop := func(context.Context, modelsignals.M2MEvent) error { return nil }
		cases := []struct {
			name    string
			connect func()
			want    []error
			msg     string
		}{
			{"the model", func() { modelsignals.M2MChanged.ConnectFunc(nop, signals.Sender(reflect.TypeFor[Post]())) },
				[]error{modelsignals.ErrM2MSender, signals.ErrInvalidOption},
				`signals: ConnectFunc: invalid sender for signal m2m_changed: m2m_changed is sent with a relation's join model, never with the model signalsgorm_test.Post; ` +
					`connect with modelsignals.OnM2MChanged("Labels", func(ctx context.Context, ev modelsignals.M2M[signalsgorm_test.Post, uint]) error) for the changes of signalsgorm_test.Post.Labels, ` +
					`or with signals.Sender(through.Type), the join model the ORM adapter gives (signalsgorm.Through)`},
			{"the other side", func() { modelsignals.M2MChanged.ConnectFunc(nop, signals.Sender(reflect.TypeFor[Label]())) },
				[]error{modelsignals.ErrM2MSender}, `modelsignals.OnM2MChanged("Posts", func(ctx context.Context, ev modelsignals.M2M[signalsgorm_test.Label, uint]) error)`},
			{"a field the model lacks", func() { modelsignals.OnM2MChanged("Label", typedRecv[Post](&typedLog{}, "")) },
				[]error{modelsignals.ErrM2MSender},
				`modelsignals: OnM2MChanged: signalsgorm_test.Post has no many-to-many relation field "Label"; its many-to-many fields: "Labels"`},
			{"the wrong key type", func() {
				modelsignals.OnM2MChanged("Labels", func(context.Context, modelsignals.M2M[Post, string]) error { return nil })
			}, []error{modelsignals.ErrM2MSender},
				`modelsignals: OnM2MChanged: the keys of signalsgorm_test.Post.Labels are uint, not string; declare the event as modelsignals.M2M[signalsgorm_test.Post, uint] (or M2M[signalsgorm_test.Post, any])`},
			{"a field by hand", func() {
				modelsignals.M2MChanged.ConnectFunc(nop, signals.Sender(modelsignals.M2MField{Model: reflect.TypeFor[Post](), Field: "Tags"}))
			}, []error{modelsignals.ErrM2MSender, signals.ErrInvalidOption}, `signalsgorm_test.Post has no many-to-many relation field "Tags"`},
		}
		before := len(modelsignals.M2MChanged.Receivers())
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				err := panicOf(tc.connect)
				for _, want := range tc.want {
					if !errors.Is(err, want) {
						t.Errorf("panic %v does not wrap %v", err, want)
					}
				}
				if err == nil || !strings.Contains(err.Error(), tc.msg) {
					t.Errorf("panic %q, want it to contain %q", err, tc.msg)
				}
			})
		}
		if n := len(modelsignals.M2MChanged.Receivers()); n != before {
			t.Fatalf("refused connections left %d receivers", n-before)
		}
		// The join model, a key type of any and a receiver of every sender
		// are fine.
		h1 := modelsignals.M2MChanged.ConnectFunc(nop, signals.Sender(join.Type))
		h2 := modelsignals.OnM2MChanged("Labels", func(context.Context, modelsignals.M2M[Post, any]) error { return nil })
		h3 := modelsignals.M2MChanged.ConnectFunc(nop)
		h1.Disconnect()
		h2.Disconnect()
		h3.Disconnect()
	})
}

// Rack and Crate are known to no other test either.
type Rack struct {
	ID     uint
	Crates []Crate `gorm:"many2many:rack_crates"`
}

type Crate struct {
	ID    uint
	Label string
}

// A receiver connected with a model as sender before the plugin knew the
// model cannot be refused when it is connected: the first statement that
// meets the relation fails with ErrM2MSender naming it, and nothing is
// written, until it is disconnected. Once the relation is known, such a
// connection panics.
func TestM2MWrongSenderConnectedEarly(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		nop := func(context.Context, modelsignals.M2MEvent) error { return nil }
		var h *signals.Handle
		err := panicOf(func() {
			h = modelsignals.M2MChanged.ConnectFunc(nop, signals.Sender(reflect.TypeFor[Rack]()), signals.Name("rack watcher"))
		})
		if err != nil { // a database of an earlier subtest made the relation known
			if !errors.Is(err, modelsignals.ErrM2MSender) || !errors.Is(err, signals.ErrInvalidOption) {
				t.Fatalf("with the relation known, connect: %v", err)
			}
			return
		}
		db := dbtest.Open(t, dialect, dbtest.Use(signalsgorm.New()), dbtest.Migrate(&Rack{}, &Crate{}))
		err = db.Create(&Rack{Crates: []Crate{{Label: "c"}}}).Error
		if !errors.Is(err, modelsignals.ErrM2MSender) || !strings.Contains(err.Error(), "rack watcher (") ||
			!strings.Contains(err.Error(), `modelsignals.OnM2MChanged("Crates"`) {
			t.Fatalf("create = %v, want ErrM2MSender naming the receiver and the right call", err)
		}
		if n := count(t, db, &Rack{}) + count(t, db, &Crate{}); n != 0 {
			t.Fatalf("the failed statement wrote %d rows", n)
		}
		if _, err := signalsgorm.Through(db, &Rack{}, "Crates"); !errors.Is(err, modelsignals.ErrM2MSender) {
			t.Fatalf("Through = %v", err)
		}
		h.Disconnect()
		if err := db.Create(&Rack{Crates: []Crate{{Label: "c"}}}).Error; err != nil {
			t.Fatalf("create after the disconnect: %v", err)
		}
	})
}
