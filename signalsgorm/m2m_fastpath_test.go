package signalsgorm_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/gosignals/signals"
	"github.com/gosignals/signals/modelsignals"
	"github.com/gosignals/signals/signalsgorm"
	"github.com/gosignals/signals/signalsgorm/internal/dbtest"
)

// sqlLog records the SQL GORM runs.
type sqlLog struct {
	logger.Interface
	mu   sync.Mutex
	sqls []string
}

func (l *sqlLog) LogMode(logger.LogLevel) logger.Interface { return l }

func (l *sqlLog) Trace(_ context.Context, _ time.Time, fc func() (string, int64), _ error) {
	sql, _ := fc()
	l.mu.Lock()
	l.sqls = append(l.sqls, sql)
	l.mu.Unlock()
}

// m2mScenario runs every kind of many2many write and returns the SQL and
// the key of the label it creates by appending it.
func m2mScenario(t *testing.T, db *gorm.DB, log *sqlLog) ([]string, uint) {
	t.Helper()
	labels := []Label{{Name: "a"}, {Name: "b"}, {Name: "c"}}
	mustCreate(t, db, &labels)
	post := Post{Title: "p", Labels: labels[:1]}
	mustCreate(t, db, &post)
	log.mu.Lock()
	log.sqls = nil
	log.mu.Unlock()
	d := Label{Name: "d"}
	steps := []func() error{
		func() error { return db.Model(&post).Association("Labels").Append(&labels[1], &d) },
		func() error { return db.Model(&post).Association("Labels").Replace(&labels[1], &labels[2]) },
		func() error { return db.Model(&post).Association("Labels").Delete(&labels[1]) },
		func() error { return db.Model(&post).Association("Labels").Clear() },
		func() error { return db.Create(&Post{Title: "q", Labels: labels}).Error },
		func() error { return db.Model(&labels[0]).Association("Posts").Append(&post) },
		func() error { return db.Select("Labels").Delete(&post).Error },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			t.Fatal(err)
		}
	}
	log.mu.Lock()
	defer log.mu.Unlock()
	return log.sqls, d.ID
}

func openLogged(t *testing.T, dialect string, plugin bool) (*gorm.DB, *sqlLog) {
	log := &sqlLog{Interface: logger.Discard}
	cfg := dbtest.Config()
	cfg.Logger = log
	var opts []dbtest.Option
	if plugin {
		opts = append(opts, dbtest.Use(signalsgorm.New()))
	}
	db := dbtest.OpenConfig(t, dialect, cfg, opts...)
	setupM2M(t, db)
	return db, log
}

func writes(sqls []string) []string {
	var out []string
	for _, s := range sqls {
		if !strings.HasPrefix(s, "SELECT") {
			out = append(out, s)
		}
	}
	return out
}

// With no m2m_changed receiver the plugin runs exactly GORM's
// statements; with one, it only adds reads (the pre-queries), and GORM's
// writes are unchanged.
func TestM2MFastPath(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		plainDB, plainLog := openLogged(t, dialect, false)
		plain, _ := m2mScenario(t, plainDB, plainLog)
		if len(plain) < 10 {
			t.Fatalf("scenario ran %d statements", len(plain))
		}
		same := func(name string, got, want []string) {
			t.Helper()
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Fatalf("%s ran:\n\t%s\nplain GORM ran:\n\t%s", name, strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
			}
		}

		db, log := openLogged(t, dialect, true)
		got, _ := m2mScenario(t, db, log)
		same("the plugin without receivers", got, plain)

		tp := recordM2M(t, nil)
		db, log = openLogged(t, dialect, true)
		muted := db.WithContext(signals.Mute(context.Background(), modelsignals.M2MChanged))
		got, _ = m2mScenario(t, muted, log)
		same("the plugin with a muted receiver", got, plain)
		tp.check(t)

		db, log = openLogged(t, dialect, true)
		withRecv, d := m2mScenario(t, db, log)
		same("the plugin with a receiver (writes)", writes(withRecv), writes(plain))
		if len(withRecv) <= len(plain) {
			t.Fatal("no pre-query ran with a receiver")
		}
		tp.check(t, "pre_add Post.Labels #1 [1]", "post_add Post.Labels #1 [1]",
			fmt.Sprintf("pre_add Post.Labels #1 [2 %d]", d), fmt.Sprintf("post_add Post.Labels #1 [2 %d]", d),
			"pre_add Post.Labels #1 [3]", "post_add Post.Labels #1 [3]",
			fmt.Sprintf("pre_remove Post.Labels #1 [1 %d]", d), fmt.Sprintf("post_remove Post.Labels #1 [1 %d]", d),
			"pre_remove Post.Labels #1 [2]", "post_remove Post.Labels #1 [2]",
			"pre_clear Post.Labels #1 nil removed=[3]", "post_clear Post.Labels #1 nil removed=[3]",
			"pre_add Post.Labels #2 [1 2 3]", "post_add Post.Labels #2 [1 2 3]",
			"pre_add Label.Posts #1 [1] reverse", "post_add Label.Posts #1 [1] reverse")
	})
}
