package outbox_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/gosignals/signals/outbox"
)

type Base struct {
	ID        uint
	CreatedAt time.Time
}

type User struct {
	Base
	Email    string `json:"email"`
	Password string `signals:"-"`
	Nick     string `json:",omitempty"`
	Internal string `json:"-"`
	secret   string
}

type Plain struct {
	ID   uint
	Name string
}

type Audit struct {
	_    struct{} `signals:"thin"`
	ID   uint
	Body string
}

func TestMarshalInstance(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	u := &User{Base: Base{ID: 7, CreatedAt: at}, Email: "a@b.c", Password: "hunter2", Internal: "x", secret: "y"}
	tests := []struct {
		name string
		in   any
		want string
	}{
		{"tagged", u, `{"ID":7,"CreatedAt":"2026-01-02T03:04:05Z","email":"a@b.c"}`},
		{"plain", Plain{ID: 1, Name: "n"}, `{"ID":1,"Name":"n"}`},
		{"thin", &Audit{ID: 1, Body: "b"}, ``},
		{"nil", (*User)(nil), ``},
		{"not a struct", 42, `42`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := outbox.MarshalInstance(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Fatalf("got %s, want %s", got, tt.want)
			}
		})
	}
	u.Nick = "z"
	got, _ := outbox.MarshalInstance(u)
	if want := `{"ID":7,"CreatedAt":"2026-01-02T03:04:05Z","email":"a@b.c","Nick":"z"}`; string(got) != want {
		t.Fatalf("omitempty field set: %s", got)
	}
}

func TestHiddenAndThin(t *testing.T) {
	ut := reflect.TypeFor[User]()
	if !outbox.Hidden(ut, "Password") || outbox.Hidden(ut, "Email") {
		t.Error("Hidden")
	}
	if !outbox.IsThin(reflect.TypeFor[*Audit]()) || outbox.IsThin(ut) {
		t.Error("IsThin")
	}
}

type Patient struct {
	ID   uint
	Name string `signals:"sensitive" json:"name"`
	SSN  string `signals:"sensitive"`
	Note string
}

// Fields tagged sensitive stay in the instance; Sensitive knows them by
// their Go and JSON names, for operator tools to redact.
func TestSensitive(t *testing.T) {
	pt := reflect.TypeFor[*Patient]()
	for name, want := range map[string]bool{"name": true, "Name": true, "SSN": true, "Note": false, "ID": false} {
		if got := outbox.Sensitive(pt, name); got != want {
			t.Errorf("Sensitive(%s) = %v", name, got)
		}
	}
	b, _ := outbox.MarshalInstance(&Patient{ID: 1, Name: "Ada", SSN: "123"})
	if string(b) != `{"ID":1,"name":"Ada","SSN":"123","Note":""}` {
		t.Fatalf("a sensitive field must still be sent: %s", b)
	}
	if outbox.Sensitive(reflect.TypeFor[int](), "x") {
		t.Fatal("Sensitive of a non-struct")
	}
}
