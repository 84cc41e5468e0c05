package main

import "time"

// The bookstore's models. ModelLabel gives them Django-style labels
// ("bookstore.Book") in events and traces.

type Author struct {
	ID    uint
	Name  string
	Email string
	Books []Book `gorm:"constraint:OnDelete:CASCADE"`
}

type Book struct {
	ID        uint
	Title     string
	CoverPath string
	InPrint   bool
	AuthorID  uint
	Author    *Author
	Comments  []Comment `gorm:"constraint:OnDelete:CASCADE"`
	Tags      []Tag     `gorm:"many2many:book_tags"`
	UpdatedAt time.Time
}

type Comment struct {
	ID     uint
	BookID uint
	Body   string
}

type Tag struct {
	ID   uint
	Name string `gorm:"uniqueIndex"`
	Uses int
}

type Notification struct {
	ID      uint
	Message string
}

// Email is a sent e-mail (the welcome e-mail of new authors).
type Email struct {
	ID      uint
	To      string
	Subject string
}

// AuditLog records who changed which fields of which object.
type AuditLog struct {
	ID      uint
	User    string
	Action  string
	Object  string
	Changes string
	At      time.Time
}

func (Author) ModelLabel() string       { return "bookstore.Author" }
func (Book) ModelLabel() string         { return "bookstore.Book" }
func (Comment) ModelLabel() string      { return "bookstore.Comment" }
func (Tag) ModelLabel() string          { return "bookstore.Tag" }
func (Notification) ModelLabel() string { return "bookstore.Notification" }
func (AuditLog) ModelLabel() string     { return "bookstore.AuditLog" }
func (Email) ModelLabel() string        { return "bookstore.Email" }

// models lists every model, in migration order.
var models = []any{&Author{}, &Book{}, &Comment{}, &Tag{}, &Notification{}, &AuditLog{}, &Email{}}
