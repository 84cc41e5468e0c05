#include "textflag.h"

// func request(args *[6]uintptr) uintptr
//
// Valgrind's client request on amd64 (VALGRIND_DO_CLIENT_REQUEST_EXPR in
// valgrind.h): the address of the arguments in AX, the default answer in
// DX, then four rotations of DI that add up to none and xchg rbx, rbx,
// which valgrind recognizes and the CPU executes as no-ops. The answer is
// in DX.
TEXT ·request(SB), NOSPLIT, $0-16
	MOVQ args+0(FP), AX
	XORQ DX, DX
	ROLQ $3, DI
	ROLQ $13, DI
	ROLQ $61, DI
	ROLQ $51, DI
	XCHGQ BX, BX
	MOVQ DX, ret+8(FP)
	RET
