package signalsgorm_test

import (
	"context"
	"strings"
	"testing"

	"github.com/gosignals/signals/modelsignals"
	"github.com/gosignals/signals/signalsgorm"
)

const fixture = `[
 {"model": "signalsgorm_test.tag", "pk": 1, "fields": {"name": "sf"}},
 {"model": "signalsgorm_test.tag", "pk": 2, "fields": {"Name": "classic"}},
 {"model": "signalsgorm_test.book", "pk": 10, "fields": {"title": "Dune", "pages": 412, "tags": [1, 2]}}
]`

// Django's loaddata: saves with raw=true, many2many set afterwards, in one
// transaction; muting silences everything.
func TestLoadFixtures(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db := open(t, dialect)
		if err := signalsgorm.Register(db, &Tag{}, &Book{}); err != nil {
			t.Fatal(err)
		}
		tp := recordSaves(t)
		n, err := signalsgorm.LoadFixtures(t.Context(), db, strings.NewReader(fixture))
		if err != nil || n != 3 {
			t.Fatalf("LoadFixtures = %d, %v", n, err)
		}
		tp.check(t,
			`pre_save signalsgorm_test.Tag "sf" raw`, `post_save signalsgorm_test.Tag "sf" created raw`,
			`pre_save signalsgorm_test.Tag "classic" raw`, `post_save signalsgorm_test.Tag "classic" created raw`,
			`pre_save signalsgorm_test.Book "Dune" id=true raw`, `post_save signalsgorm_test.Book "Dune" id=true created raw`)
		var b Book
		db.Preload("Tags").First(&b, 10)
		if b.Title != "Dune" || b.Pages != 412 || len(b.Tags) != 2 {
			t.Fatalf("loaded %+v", b)
		}
		// Loading again updates: created=false.
		if _, err := signalsgorm.LoadFixtures(t.Context(), db, strings.NewReader(fixture)); err != nil {
			t.Fatal(err)
		}
		if got, _ := tp.take(); len(got) != 6 || strings.Contains(strings.Join(got, ""), "created") {
			t.Fatalf("reload: %v", got)
		}
		// Muted: no signal at all.
		if _, err := signalsgorm.LoadFixtures(modelsignals.Mute(t.Context()), db, strings.NewReader(fixture)); err != nil {
			t.Fatal(err)
		}
		tp.check(t)

		// Bad input loads nothing.
		for _, bad := range []string{
			`[{"model": "nope.Model", "pk": 1, "fields": {}}]`,
			`[{"model": "signalsgorm_test.tag", "pk": 3, "fields": {"name": "x"}}, {"model": "signalsgorm_test.tag", "pk": 4, "fields": {"colour": "red"}}]`,
			`[{"model": "signalsgorm_test.tag", "pk": "x", "fields": {}}]`,
			`{not json`,
			// Concatenated fixtures, or anything after the array, are refused
			// rather than silently cut to the first array.
			`[{"model": "signalsgorm_test.tag", "pk": 20, "fields": {"name": "a"}}][{"model": "signalsgorm_test.tag", "pk": 21, "fields": {"name": "b"}}]`,
			`[{"model": "signalsgorm_test.tag", "pk": 20, "fields": {"name": "a"}}] garbage`,
		} {
			if _, err := signalsgorm.LoadFixtures(context.Background(), db, strings.NewReader(bad)); err == nil || !strings.HasPrefix(err.Error(), "signalsgorm: fixture") {
				t.Fatalf("%s: err = %v", bad, err)
			}
		}
		if count(t, db, &Tag{}) != 2 {
			t.Fatal("a failed load wrote rows")
		}
	})
}
