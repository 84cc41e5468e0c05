//go:build !amd64

package callgrind

const supported = false

// request does nothing: client requests are implemented on amd64 only.
func request(*[6]uintptr) uintptr { return 0 }
