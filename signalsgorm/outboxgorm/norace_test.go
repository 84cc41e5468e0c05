//go:build !race

package outboxgorm_test

// raceEnabled reports a build with the race detector.
const raceEnabled = false
