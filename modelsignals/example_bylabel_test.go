package modelsignals_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"

	"github.com/gosignals/signals/modelsignals"
)

type Novel struct {
	ID    int
	Title string
}

// A consumer that handles the outbox envelopes of every model finds the Go
// type of an envelope's instance from its model label, as Django's
// apps.get_model does.
func ExampleByLabel() {
	if _, err := modelsignals.Register(modelsignals.Model{Type: reflect.TypeFor[Novel](), Label: "library.Novel"}); err != nil {
		panic(err)
	}

	label, instance := "library.Novel", `{"ID":1,"Title":"Dune"}` // from an envelope
	m := modelsignals.ByLabel(label)
	v := reflect.New(m.Type).Interface()
	if err := json.Unmarshal([]byte(instance), v); err != nil {
		panic(err)
	}
	fmt.Printf("%s %+v\n", m.Label, v)
	fmt.Println(modelsignals.ByLabel("library.Missing") == nil)
	// Output:
	// library.Novel &{ID:1 Title:Dune}
	// true
}

type labeledAuthor struct{ ID int }

func (labeledAuthor) ModelLabel() string { return "library.Author" }

// ByLabel finds a model under its registered label, the default one
// ("package.Type") or the one its ModelLabel method gives, and nothing
// under another.
func TestByLabel(t *testing.T) {
	type poem struct{ ID int }
	p, err := modelsignals.Register(modelsignals.Model{Type: reflect.TypeFor[poem]()})
	if err != nil {
		t.Fatal(err)
	}
	a, err := modelsignals.Register(modelsignals.Model{Type: reflect.TypeFor[labeledAuthor]()})
	if err != nil {
		t.Fatal(err)
	}
	for label, want := range map[string]*modelsignals.Model{
		"modelsignals_test.poem": p,
		"library.Author":         a,
		"modelsignals_test.Poem": nil,
		"":                       nil,
	} {
		if got := modelsignals.ByLabel(label); got != want {
			t.Errorf("ByLabel(%q) = %v, want %v", label, got, want)
		}
	}
}

type Invoice struct{ ID int }

// ModelLabel gives Invoice the label "billing.Invoice", whatever its
// package.
func (Invoice) ModelLabel() string { return "billing.Invoice" }

// A model's label is its package's name and its type's name, the same under
// go run, go build and go test; a ModelLabel method chooses another one.
func ExampleLabelOf() {
	fmt.Println(modelsignals.LabelOf(reflect.TypeFor[Novel]()))
	fmt.Println(modelsignals.LabelOf(reflect.TypeFor[*Invoice]()))
	// Output:
	// modelsignals_test.Novel
	// billing.Invoice
}
