package main

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"github.com/gosignals/signals/benchmarks/internal/callgrind"
	"github.com/gosignals/signals/modelsignals"
)

// The cascade's models: an author has books, a book has comments, and
// both relations cascade (Django's on_delete=CASCADE).

// Author has books.
type Author struct {
	ID    uint
	Name  string
	Books []Book `gorm:"constraint:OnDelete:CASCADE"`
}

// Book belongs to an author and has comments.
type Book struct {
	ID       uint
	Title    string
	AuthorID uint      `gorm:"index"`
	Comments []Comment `gorm:"constraint:OnDelete:CASCADE"`
}

// Comment belongs to a book.
type Comment struct {
	ID     uint
	Body   string
	BookID uint `gorm:"index"`
}

// commentsPerBook is the number of comments of each book.
const commentsPerBook = 5

// cascade deletes one author with books books of commentsPerBook comments
// each.
func cascade(mode string, books int) (result, error) {
	db, err := open("cascade", mode)
	if err != nil {
		return result{}, err
	}
	if err := db.AutoMigrate(&Author{}, &Book{}, &Comment{}); err != nil {
		return result{}, err
	}
	rows := 1 + books*(1+commentsPerBook)
	r := result{ops: 1, rows: rows}
	if mode == "receivers" {
		r.expected = 2 * rows
		modelsignals.PreDelete.ConnectFunc(func(context.Context, modelsignals.DeleteEvent) error { calls++; return nil })
		modelsignals.PostDelete.ConnectFunc(func(context.Context, modelsignals.DeleteEvent) error { calls++; return nil })
	}
	a, err := seedAuthor(db, books)
	if err != nil {
		return result{}, err
	}
	calls = 0
	r.allocs, err = callgrind.Measure(func() error { return runCascade(db, a) })
	r.calls = calls
	if err != nil {
		return r, err
	}
	var left int64
	if err := db.Raw("SELECT (SELECT count(*) FROM authors) + (SELECT count(*) FROM books) + (SELECT count(*) FROM comments)").Scan(&left).Error; err != nil {
		return r, err
	}
	if left != 0 {
		return r, fmt.Errorf("cascade: %d rows left after the delete", left)
	}
	return r, nil
}

// seedAuthor inserts the author, its books and their comments with plain
// SQL, sending nothing.
func seedAuthor(db *gorm.DB, books int) (*Author, error) {
	a := &Author{Name: "author"}
	if err := db.Session(&gorm.Session{SkipHooks: true}).Create(a).Error; err != nil {
		return nil, err
	}
	if err := db.Exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < ?) "+
		"INSERT INTO books (title, author_id) SELECT 'book', ? FROM n", books, a.ID).Error; err != nil {
		return nil, err
	}
	if err := db.Exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < ?) "+
		"INSERT INTO comments (book_id, body) SELECT books.id, 'comment' FROM books CROSS JOIN n",
		commentsPerBook).Error; err != nil {
		return nil, err
	}
	return a, nil
}

// runCascade deletes the author: one Delete.
func runCascade(db *gorm.DB, a *Author) error {
	return db.Delete(a).Error
}
