package main

import (
	"context"
	"fmt"
	"github.com/gosignals/signals/modelsignals"
	"github.com/gosignals/signals/signalsgorm"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	_ "modernc.org/sqlite"
)

type Book struct{ Title string }
type Audit struct{ Note string }

func main() {
	db, _ := gorm.Open(sqlite.Dialector{DriverName: "sqlite", DSN: "file:quickstart?mode=memory&cache=shared"}, &gorm.Config{})
	db.Use(signalsgorm.New())
	db.AutoMigrate(&Book{}, &Audit{})
	modelsignals.OnPostSave(func(ctx context.Context, ev modelsignals.Save[Book]) error {
		fmt.Printf("saved %q, created: %v\n", ev.Instance.Title, ev.Created)
		return db.WithContext(ctx).Create(&Audit{Note: "saved " + ev.Instance.Title}).Error // same transaction
	})
	db.Create(&Book{Title: "Dune"})
}
