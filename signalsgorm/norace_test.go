//go:build !race

package signalsgorm_test

// raceEnabled reports a build with the race detector.
const raceEnabled = false
