//go:build !race

package signalsriver_test

// raceEnabled reports a build with the race detector.
const raceEnabled = false
