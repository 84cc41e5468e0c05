package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"gorm.io/gorm"

	"github.com/gosignals/signals/examples/bookstore/shop"
)

// demo creates an author and waits for the workers to send its welcome
// e-mail.
func demo(ctx context.Context, db *gorm.DB, w io.Writer, errs <-chan error) error {
	a := shop.Author{Name: "Octavia Butler", Email: fmt.Sprintf("octavia+%d@example.com", time.Now().UnixNano())}
	if err := db.WithContext(ctx).Create(&a).Error; err != nil {
		return err
	}
	fmt.Fprintf(w, "worker: created author %d; the welcome e-mail travels through the outbox to a worker\n", a.ID)
	deadline := time.After(60 * time.Second)
	for {
		var mail shop.Email
		err := db.WithContext(ctx).Where(&shop.Email{To: a.Email}).First(&mail).Error
		if err == nil {
			fmt.Fprintf(w, "worker: e-mail to %s: %s\n", mail.To, mail.Subject)
			return nil
		}
		if !errors.Is(err, gorm.ErrRecordNotFound) {
			return err
		}
		select {
		case err := <-errs:
			return fmt.Errorf("worker stopped: %w", err)
		case <-deadline:
			return errors.New("worker: no welcome e-mail after 60s")
		case <-time.After(50 * time.Millisecond):
		}
	}
}
