package callgrind

const supported = true

// request makes the client request args[0] with arguments args[1:] and
// returns valgrind's answer, or 0 outside valgrind.
//
//go:noescape
func request(args *[6]uintptr) uintptr
