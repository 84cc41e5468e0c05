// Package table renders the benchmark commands' tables as aligned text for
// the terminal and as Markdown: label columns first, aligned left, then
// figures, aligned right.
package table

import (
	"strings"
	"unicode/utf8"
)

// A Table is a header and rows of cells. The first Labels columns hold
// names and are aligned left; the others hold figures, aligned right.
type Table struct {
	Header []string
	Rows   [][]string
	Labels int
}

// New returns an empty table with header, whose first labels columns are
// names.
func New(labels int, header ...string) *Table {
	return &Table{Header: header, Labels: labels}
}

// Add appends a row.
func (t *Table) Add(cells ...string) { t.Rows = append(t.Rows, cells) }

// Text renders the table as columns of text separated by two spaces, with
// a line of dashes under the header.
func (t *Table) Text() string {
	w := make([]int, len(t.Header))
	for _, r := range append([][]string{t.Header}, t.Rows...) {
		for i, c := range r {
			if i < len(w) {
				w[i] = max(w[i], utf8.RuneCountInString(c))
			}
		}
	}
	var b strings.Builder
	line := func(r []string) {
		for i, c := range r[:min(len(r), len(w))] {
			pad := strings.Repeat(" ", w[i]-utf8.RuneCountInString(c))
			if i > 0 {
				b.WriteString("  ")
			}
			if i < t.Labels {
				b.WriteString(c + pad)
			} else {
				b.WriteString(pad + c)
			}
		}
		b.WriteString("\n")
	}
	line(t.Header)
	sep := make([]string, len(w))
	for i := range w {
		sep[i] = strings.Repeat("-", w[i])
	}
	line(sep)
	for _, r := range t.Rows {
		line(r)
	}
	return b.String()
}

// Markdown renders the table as a Markdown table, the figure columns
// aligned right.
func (t *Table) Markdown() string {
	var b strings.Builder
	b.WriteString("| " + strings.Join(t.Header, " | ") + " |\n|")
	for i := range t.Header {
		if i < t.Labels {
			b.WriteString("---|")
		} else {
			b.WriteString("--:|")
		}
	}
	b.WriteString("\n")
	for _, r := range t.Rows {
		b.WriteString("| " + strings.Join(r, " | ") + " |\n")
	}
	return b.String()
}
