package signalsgorm_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"gorm.io/driver/sqlite"
	"gorm.io/gorm"

	"github.com/gosignals/signals"
	"github.com/gosignals/signals/modelsignals"
	"github.com/gosignals/signals/signalsgorm"
	"github.com/gosignals/signals/signalsgorm/internal/dbtest"
)

// post_init is sent for every instance a query materialises, including
// preloaded ones; pre_init once per query, before it runs.
func TestInitSignals(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db := open(t, dialect)
		a := Author{Name: "Herbert", Books: []Book{{Title: "Dune"}, {Title: "Children of Dune"}}}
		db.Create(&a)
		db.Create(&Book{Title: "Emma"})

		var got []string
		connect(t, modelsignals.PreInit, func(_ context.Context, ev modelsignals.PreInitEvent) error {
			got = append(got, fmt.Sprintf("pre_init %s %T", ev.Model.Label, ev.Dest))
			return nil
		})
		modelsignals.OnPostInit(func(_ context.Context, ev modelsignals.Init[Book]) error {
			got = append(got, "post_init Book "+ev.Instance.Title)
			return nil
		})
		modelsignals.OnPostInit(func(_ context.Context, ev modelsignals.Init[Author]) error {
			got = append(got, "post_init Author "+ev.Instance.Name)
			return nil
		})
		t.Cleanup(func() { modelsignals.PostInit.DisconnectAll() })
		check := func(want ...string) {
			t.Helper()
			if !slices.Equal(got, want) {
				t.Fatalf("got\n\t%s\nwant\n\t%s", strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
			}
			got = nil
		}

		var books []Book
		db.Order("id").Find(&books)
		check("pre_init signalsgorm_test.Book *[]signalsgorm_test.Book", "post_init Book Dune", "post_init Book Children of Dune", "post_init Book Emma")
		var b Book
		db.First(&b, "title = ?", "Emma")
		check("pre_init signalsgorm_test.Book *signalsgorm_test.Book", "post_init Book Emma")
		db.Take(&b, "title = ?", "nothing")
		check("pre_init signalsgorm_test.Book *signalsgorm_test.Book")
		var authors []Author
		db.Preload("Books", func(tx *gorm.DB) *gorm.DB { return tx.Order("id") }).Find(&authors)
		check("pre_init signalsgorm_test.Author *[]signalsgorm_test.Author", "post_init Author Herbert",
			"pre_init signalsgorm_test.Book *[]*signalsgorm_test.Book", "post_init Book Dune", "post_init Book Children of Dune")
		var raw []Book
		db.Raw("SELECT * FROM books WHERE title = ?", "Dune").Find(&raw)
		check("pre_init signalsgorm_test.Book *[]signalsgorm_test.Book", "post_init Book Dune")
		// Not instances: counts, plucks, other structs.
		var n int64
		db.Model(&Book{}).Count(&n)
		var titles []string
		db.Model(&Book{}).Pluck("title", &titles)
		var short []struct{ Title string }
		db.Model(&Book{}).Find(&short)
		db.Session(&gorm.Session{SkipHooks: true}).Find(&books)
		check()

		// A post_init error fails the query.
		boom := errors.New("boom")
		connect(t, modelsignals.PostInit, func(context.Context, modelsignals.PostInitEvent) error { return boom })
		if err := db.Find(&books).Error; !errors.Is(err, boom) {
			t.Fatalf("err = %v", err)
		}
	})
}

// class_prepared is sent once per model type, and the models are listed
// (Django's docs, "class_prepared" in the signals reference).
func TestClassPreparedOncePerModel(t *testing.T) {
	type Fresh struct {
		ID   uint
		Name string
	}
	// The registry is per process: with -count > 1 the type is known.
	want := 1
	if modelsignals.Lookup(reflect.TypeFor[Fresh]()) != nil {
		want = 0
	}
	var prepared []string
	connect(t, modelsignals.ClassPrepared, func(_ context.Context, ev modelsignals.ClassPreparedEvent) error {
		prepared = append(prepared, ev.Model.Label)
		return nil
	})
	each(t, func(t *testing.T, dialect string) {
		db := open(t, dialect)
		if err := signalsgorm.Register(db, &Fresh{}); err != nil {
			t.Fatal(err)
		}
		db.AutoMigrate(&Fresh{})
		db.Create(&Fresh{Name: "x"})
	})
	if n := strings.Count(strings.Join(prepared, " "), "signalsgorm_test.Fresh"); n != want {
		t.Fatalf("class_prepared for Fresh sent %d times: %v", n, prepared)
	}
	m := modelsignals.Lookup(reflect.TypeFor[Fresh]())
	if m == nil || m.Table != "freshes" || !slices.Contains(modelsignals.Models(), m) {
		t.Fatalf("model %+v not listed", m)
	}
	db := open(t, "sqlite")
	if err := signalsgorm.Register(db, 42); !errors.Is(err, modelsignals.ErrNotModel) {
		t.Fatalf("Register(42) = %v", err)
	}
}

// pre_migrate and post_migrate are sent around AutoMigrate with the plan,
// even when there is nothing to do (tests/migrate_signals/tests.py,
// MigrateSignalTests.test_args, test_call_time, test_migrations_only).
func TestMigrateSignalsAroundAutoMigrate(t *testing.T) {
	type Shelf struct {
		ID    uint
		Label string
	}
	each(t, func(t *testing.T, dialect string) {
		db := dbtest.Open(t, dialect)
		db.Use(signalsgorm.New(signalsgorm.Using("main")))
		var got []string
		rec := func(name string) func(context.Context, modelsignals.MigrateEvent) error {
			return func(_ context.Context, ev modelsignals.MigrateEvent) error {
				var plan []string
				for _, s := range ev.Plan {
					plan = append(plan, s.Action+":"+s.Table+strings.Join(s.Columns, ","))
				}
				got = append(got, fmt.Sprintf("%s %s models=%d plan=[%s]", name, ev.Using, len(ev.Models), strings.Join(plan, " ")))
				return nil
			}
		}
		connect(t, modelsignals.PreMigrate, rec("pre"), signals.Sender("main"))
		connect(t, modelsignals.PostMigrate, rec("post"))
		if err := signalsgorm.AutoMigrate(db, &Book{}, &Tag{}); err != nil {
			t.Fatal(err)
		}
		if err := signalsgorm.AutoMigrate(db, &Book{}, &Tag{}); err != nil {
			t.Fatal(err)
		}
		db.Migrator().DropColumn(&Book{}, "pages")
		if err := signalsgorm.AutoMigrate(db, &Book{}); err != nil {
			t.Fatal(err)
		}
		want := []string{
			"pre main models=2 plan=[create_table:books create_table:book_tags create_table:tags]",
			"post main models=2 plan=[create_table:books create_table:book_tags create_table:tags]",
			"pre main models=2 plan=[]", "post main models=2 plan=[]",
			"pre main models=1 plan=[add_columns:bookspages]", "post main models=1 plan=[add_columns:bookspages]",
		}
		if !slices.Equal(got, want) {
			t.Fatalf("got\n\t%s\nwant\n\t%s", strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
		}
		// A pre_migrate error stops the migration.
		boom := errors.New("boom")
		connect(t, modelsignals.PreMigrate, func(context.Context, modelsignals.MigrateEvent) error { return boom })
		if err := signalsgorm.AutoMigrate(db, &Shelf{}); !errors.Is(err, boom) || db.Migrator().HasTable(&Shelf{}) {
			t.Fatalf("err = %v; table created: %v", err, db.Migrator().HasTable(&Shelf{}))
		}
	})
}

// connection_created is sent for every new physical connection, not for
// reused ones; its receivers can set up the session (tests/backends/tests.py,
// ConnectionCreatedSignalTest.test_signal).
func TestConnectionCreatedPerNewConnection(t *testing.T) {
	var opened int
	connect(t, modelsignals.ConnectionCreated, func(ctx context.Context, ev modelsignals.ConnectionEvent) error {
		opened++
		return ev.Exec(ctx, "PRAGMA foreign_keys = ON")
	}, signals.Sender("conn-test"))
	sqlDB, err := modelsignals.OpenDB("sqlite", dbtest.SQLiteDSN(t), "conn-test")
	if err != nil {
		t.Fatal(err)
	}
	defer sqlDB.Close()
	db, err := gorm.Open(sqlite.Dialector{Conn: sqlDB}, dbtest.Config())
	if err != nil {
		t.Fatal(err)
	}
	for range 5 {
		var fk int
		db.Raw("PRAGMA foreign_keys").Scan(&fk)
		if fk != 1 {
			t.Fatal("the receiver's PRAGMA did not reach the connection")
		}
	}
	if opened != 1 {
		t.Fatalf("%d connection_created for one pooled connection", opened)
	}
	// Two connections at once: a second physical connection opens.
	tx := db.Begin()
	var n int
	db.Raw("SELECT 1").Scan(&n)
	tx.Rollback()
	if opened != 2 {
		t.Fatalf("%d connection_created, want 2", opened)
	}
	// A receiver's error fails the connection.
	boom := errors.New("boom")
	connect(t, modelsignals.ConnectionCreated, func(context.Context, modelsignals.ConnectionEvent) error { return boom })
	sqlDB.SetMaxIdleConns(0)
	if err := sqlDB.Ping(); !errors.Is(err, boom) {
		t.Fatalf("Ping = %v", err)
	}
}

// The plugin installs once; several databases with their own aliases work
// side by side.
func TestInstall(t *testing.T) {
	db := dbtest.Open(t, "sqlite")
	if err := signalsgorm.Install(db, signalsgorm.Using("a")); err != nil {
		t.Fatal(err)
	}
	if err := signalsgorm.Install(db); err != nil {
		t.Fatal("second Install:", err)
	}
	if err := db.Use(signalsgorm.New()); !errors.Is(err, gorm.ErrRegistered) {
		t.Fatalf("second Use = %v, want gorm.ErrRegistered", err)
	}
	if signalsgorm.From(db).Using() != "a" {
		t.Fatal("From(db) is not the first plugin")
	}
	other := dbtest.Open(t, "sqlite")
	if err := db.Use(signalsgorm.New(signalsgorm.Using(""))); err == nil {
		t.Fatal("empty alias accepted")
	}
	if err := other.Use(signalsgorm.New(signalsgorm.Using("b"))); err != nil {
		t.Fatal(err)
	}
	db.AutoMigrate(&Tag{})
	other.AutoMigrate(&Tag{})
	var usings []string
	connect(t, modelsignals.PostSave, func(_ context.Context, ev modelsignals.SaveEvent) error {
		usings = append(usings, ev.Using)
		return nil
	})
	db.Create(&Tag{Name: "x"})
	other.Create(&Tag{Name: "y"})
	db.Create(&Tag{Name: "z"})
	if !slices.Equal(usings, []string{"a", "b", "a"}) {
		t.Fatalf("usings %v", usings)
	}
}

// Typed receivers reject types that are not models.
func TestTypedReceiverBadInput(t *testing.T) {
	err := panicOf(func() { modelsignals.OnPostSave(func(context.Context, modelsignals.Save[*Book]) error { return nil }) })
	if !errors.Is(err, modelsignals.ErrNotModel) || !strings.Contains(err.Error(), "use the struct type signalsgorm_test.Book") {
		t.Fatalf("err = %v", err)
	}
	err = panicOf(func() { modelsignals.OnPreSave(func(context.Context, modelsignals.Save[int]) error { return nil }) })
	if !errors.Is(err, modelsignals.ErrNotModel) {
		t.Fatalf("err = %v", err)
	}
	defer func() {
		if v := recover(); v == nil || !strings.HasPrefix(fmt.Sprint(v), "modelsignals:") {
			t.Fatalf("panic %v", v)
		}
	}()
	modelsignals.OnPostDelete(func(context.Context, modelsignals.Delete[string]) error { return nil })
}
