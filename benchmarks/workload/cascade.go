package workload

import (
	"context"
	"fmt"
	"strconv"

	"gorm.io/gorm"

	"github.com/gosignals/signals/modelsignals"
)

// The cascade workload: one author with books books, each with comments
// comments, deleted by deleting the author, with a pre_delete and a
// post_delete receiver for every model (Django: author.delete(), receivers
// connected without sender). The relations cascade (Author.Books and
// Book.Comments are tagged constraint:OnDelete:CASCADE): the plugin's
// deletion collector deletes the books and comments, sending their signals,
// and without it the database cascades silently.

// DeleteCounts counts the calls of the delete receivers, by table.
type DeleteCounts struct{ Pre, Post map[string]int }

// Total returns the number of pre_delete and post_delete calls.
func (c *DeleteCounts) Total() (pre, post int) {
	for _, n := range c.Pre {
		pre += n
	}
	for _, n := range c.Post {
		post += n
	}
	return pre, post
}

// Reset sets the counts to zero.
func (c *DeleteCounts) Reset() { c.Pre, c.Post = map[string]int{}, map[string]int{} }

// ConnectDeleteReceivers connects a pre_delete and a post_delete receiver
// for every model, counting into the returned DeleteCounts; disconnect
// disconnects them.
func ConnectDeleteReceivers() (counts *DeleteCounts, disconnect func()) {
	c := &DeleteCounts{}
	c.Reset()
	pre := modelsignals.PreDelete.ConnectFunc(func(_ context.Context, ev modelsignals.DeleteEvent) error {
		c.Pre[ev.Model.Table]++
		return nil
	})
	post := modelsignals.PostDelete.ConnectFunc(func(_ context.Context, ev modelsignals.DeleteEvent) error {
		c.Post[ev.Model.Table]++
		return nil
	})
	return c, func() { pre.Disconnect(); post.Disconnect() }
}

// Seed inserts one author with books books of comments comments each, in
// batches and without hooks or signals, and returns the author's key.
func Seed(db *gorm.DB, books, comments int) (uint, error) {
	var id uint
	quiet := db.Session(&gorm.Session{SkipHooks: true})
	err := quiet.Transaction(func(tx *gorm.DB) error {
		a := Author{Name: "author"}
		if err := tx.Create(&a).Error; err != nil {
			return err
		}
		bs := make([]Book, books)
		for i := range bs {
			bs[i] = Book{Title: "book " + strconv.Itoa(i), AuthorID: a.ID}
		}
		if err := tx.CreateInBatches(&bs, 500).Error; err != nil {
			return err
		}
		cs := make([]Comment, 0, books*comments)
		for _, b := range bs {
			for j := range comments {
				cs = append(cs, Comment{Body: "comment " + strconv.Itoa(j), BookID: b.ID})
			}
		}
		if len(cs) > 0 {
			if err := tx.CreateInBatches(&cs, 500).Error; err != nil {
				return err
			}
		}
		id = a.ID
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("workload: seeding: %w", err)
	}
	return id, nil
}

// LoadAuthor loads the author with key id, as Django's
// Author.objects.get(pk=id) before author.delete().
func LoadAuthor(db *gorm.DB, id uint) (*Author, error) {
	var a Author
	if err := db.First(&a, id).Error; err != nil {
		return nil, fmt.Errorf("workload: loading author %d: %w", id, err)
	}
	return &a, nil
}

// DeleteAuthor deletes a: the timed part of the cascade workload.
func DeleteAuthor(db *gorm.DB, a *Author) error {
	return db.Delete(a).Error
}

// Remaining returns the number of authors, books and comments left.
func Remaining(db *gorm.DB) (int64, error) {
	var total int64
	for _, m := range []any{&Author{}, &Book{}, &Comment{}} {
		var n int64
		if err := db.Model(m).Count(&n).Error; err != nil {
			return 0, err
		}
		total += n
	}
	return total, nil
}
