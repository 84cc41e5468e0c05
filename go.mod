module github.com/gosignals/signals

go 1.25
