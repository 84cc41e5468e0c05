package table

import (
	"strings"
	"testing"
)

func sample() *Table {
	t := New(2, "workload", "implementation", "time/op", "÷ signals")
	t.Add("send, 1 receiver", "plain loop", "1.98 ns", "0.41×")
	t.Add("", "signals Signal.Send", "4.80 ns", "1.00×")
	return t
}

func TestText(t *testing.T) {
	want := "" +
		"workload          implementation       time/op  ÷ signals\n" +
		"----------------  -------------------  -------  ---------\n" +
		"send, 1 receiver  plain loop           1.98 ns      0.41×\n" +
		"                  signals Signal.Send  4.80 ns      1.00×\n"
	if got := sample().Text(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestMarkdown(t *testing.T) {
	want := "" +
		"| workload | implementation | time/op | ÷ signals |\n" +
		"|---|---|--:|--:|\n" +
		"| send, 1 receiver | plain loop | 1.98 ns | 0.41× |\n" +
		"|  | signals Signal.Send | 4.80 ns | 1.00× |\n"
	if got := sample().Markdown(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// Every line of the text rendering is as wide as the header, whatever the
// runes of the cells.
func TestTextWidths(t *testing.T) {
	txt := sample().Text()
	lines := strings.Split(strings.TrimSuffix(txt, "\n"), "\n")
	for _, l := range lines[1:] {
		if len([]rune(l)) != len([]rune(lines[0])) {
			t.Errorf("text table lines differ in width:\n%s", txt)
			break
		}
	}
}
