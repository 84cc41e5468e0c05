//go:build race

package signalsriver_test

// raceEnabled reports a build with the race detector, under which the
// pure-Go SQLite driver runs about fifteen times slower.
const raceEnabled = true
