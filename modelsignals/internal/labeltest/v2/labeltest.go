// Package labeltest declares a model in a directory whose name ("v2") is
// not its package's name, for the tests of model labels.
package labeltest

// Book is a model of package labeltest.
type Book struct{ ID int }

// Box is a generic model.
type Box[T any] struct{ V T }
