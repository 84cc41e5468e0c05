package modelsignals

import (
	"reflect"
	"testing"

	"github.com/gosignals/signals/modelsignals/internal/labeltest/v2"
)

// A model's default label is its package's name and its type's name,
// whatever the import path the build gives the package: a type of package
// main has the same label under go run (import path "main") and under go
// test (the package's own import path), so that the envelopes one writes
// the other reads.
func TestDefaultLabelIgnoresImportPath(t *testing.T) {
	cases := []struct {
		name                string
		pkgPath, str, tname string
		want                string
	}{
		{"package main under go run", "main", "main.Post", "Post", "main.Post"},
		{"package main under go test", "example.com/app/cmd/app", "main.Post", "Post", "main.Post"},
		{"command-line files", "command-line-arguments", "main.Post", "Post", "main.Post"},
		{"ordinary package", "example.com/shop", "shop.Book", "Book", "shop.Book"},
		{"major version directory", "example.com/shop/v2", "shop.Book", "Book", "shop.Book"},
		{"directory unlike its package", "example.com/go-shop", "shop.Book", "Book", "shop.Book"},
		{"generic", "example.com/shop", "shop.Box[net/http.Header]", "Box[net/http.Header]", "shop.Box[net/http.Header]"},
		{"unnamed type", "", "struct { ID int }", "", "struct { ID int }"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := defaultLabel(tc.pkgPath, tc.str, tc.tname); got != tc.want {
				t.Fatalf("defaultLabel(%q, %q, %q) = %q, want %q", tc.pkgPath, tc.str, tc.tname, got, tc.want)
			}
		})
	}
}

type emptyLabel struct{ ID int }

func (*emptyLabel) ModelLabel() string { return "" }

type pointerLabel struct{ ID int }

func (*pointerLabel) ModelLabel() string { return "billing.Invoice" }

// LabelOf on real types: the package clause's name for a package in a
// "v2" directory, a ModelLabel method (on the pointer too) wins, an empty
// one falls back to the default.
func TestLabelOfTypes(t *testing.T) {
	cases := []struct {
		typ  reflect.Type
		want string
	}{
		{reflect.TypeFor[labeltest.Book](), "labeltest.Book"},
		{reflect.TypeFor[*labeltest.Book](), "labeltest.Book"},
		{reflect.TypeFor[labeltest.Box[int]](), "labeltest.Box[int]"},
		{reflect.TypeFor[pointerLabel](), "billing.Invoice"},
		{reflect.TypeFor[emptyLabel](), "modelsignals.emptyLabel"},
	}
	for _, tc := range cases {
		if got := LabelOf(tc.typ); got != tc.want {
			t.Errorf("LabelOf(%v) = %q, want %q", tc.typ, got, tc.want)
		}
	}
}
