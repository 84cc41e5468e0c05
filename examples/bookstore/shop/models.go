// Package shop holds what the bookstore's commands share: its models and
// its signal receivers. The command bookstore runs them on SQLite (a
// scripted scenario, or an HTTP server); bookstore/worker runs the durable
// receiver through a broker (NATS JetStream) or as River jobs.
package shop

import "time"

// The bookstore's models. ModelLabel gives them Django-style labels
// ("bookstore.Book") in events and traces.

// Author writes books; deleting one deletes their books.
type Author struct {
	ID    uint
	Name  string
	Email string
	Books []Book `gorm:"constraint:OnDelete:CASCADE"`
}

// Book has comments, tags (many-to-many) and a cover file.
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

// Comment is a reader's comment on a book.
type Comment struct {
	ID     uint
	BookID uint
	Body   string
}

// Tag labels books; Uses counts them (kept by an m2m_changed receiver).
type Tag struct {
	ID   uint
	Name string `gorm:"uniqueIndex"`
	Uses int
}

// Notification is what the post_save receiver of books writes.
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

// ModelLabel gives each model its Django-style label.
func (Author) ModelLabel() string       { return "bookstore.Author" }
func (Book) ModelLabel() string         { return "bookstore.Book" }
func (Comment) ModelLabel() string      { return "bookstore.Comment" }
func (Tag) ModelLabel() string          { return "bookstore.Tag" }
func (Notification) ModelLabel() string { return "bookstore.Notification" }
func (AuditLog) ModelLabel() string     { return "bookstore.AuditLog" }
func (Email) ModelLabel() string        { return "bookstore.Email" }

// Models lists every model, in migration order.
var Models = []any{&Author{}, &Book{}, &Comment{}, &Tag{}, &Notification{}, &AuditLog{}, &Email{}}
