package main

import (
	"io"
	"os"
	"strings"
	"testing"
)

// The README's Quick Start is this program, verbatim, and prints what the
// README says.
func TestQuickStartIsTheREADMEs(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("main.go")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), "```go\n"+string(src)+"```") {
		t.Fatal("README.md's Quick Start differs from examples/quickstart/main.go")
	}
	if n := strings.Count(string(src), "\n"); n > 25 {
		t.Fatalf("the Quick Start has %d lines, more than 25", n)
	}
	r, w, _ := os.Pipe()
	stdout := os.Stdout
	os.Stdout = w
	main()
	os.Stdout = stdout
	w.Close()
	out, _ := io.ReadAll(r)
	if string(out) != "saved \"Dune\", created: true\n" {
		t.Fatalf("output %q", out)
	}
	if !strings.Contains(string(readme), "`"+strings.TrimSpace(string(out))+"`") {
		t.Fatal("README.md does not show the Quick Start's output")
	}
}
