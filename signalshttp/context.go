package signalshttp

import (
	"context"
	"net/http"
	"time"
)

// ctxKey is the type of this package's context keys; the keys are pointers,
// so no other package can collide with them.
type ctxKey struct{ name string }

var (
	stateKey = &ctxKey{"request state"}
	userKey  = &ctxKey{"user"}
)

// userBox holds a user value, so that a nil interface can be told from "no
// user here".
type userBox struct{ v any }

// requestContext is the context [Middleware] gives the handler. It is the
// request's state viewed as a context (no allocation of its own): it answers
// this package's keys and forwards everything else, including cancellation,
// to the request's original context. Contexts derived from it with
// context.WithCancel and friends attach to the original context's
// cancellation directly, without a goroutine, because Done and the
// cancellation look-up are forwarded unchanged.
type requestContext state

func (c *requestContext) Deadline() (time.Time, bool) { return c.parent.Deadline() }
func (c *requestContext) Done() <-chan struct{}       { return c.parent.Done() }
func (c *requestContext) Err() error                  { return c.parent.Err() }
func (c *requestContext) String() string              { return "signalshttp.requestContext" }

func (c *requestContext) Value(key any) any {
	switch key {
	case stateKey:
		return (*state)(c)
	case userKey:
		if b := c.user.Load(); b != nil {
			return b
		}
	}
	return c.parent.Value(key)
}

func stateFrom(ctx context.Context) *state {
	if ctx == nil {
		return nil
	}
	st, _ := ctx.Value(stateKey).(*state)
	return st
}

// RequestFrom returns the request being served by [Middleware] whose
// context ctx is or derives from: the request as the middleware passed it to
// the next handler. Code that receives the request's context (for example
// receivers of model signals sent by an ORM used with
// db.WithContext(r.Context())) can so see the request. It returns false for
// a context that does not come from the middleware, or from one configured
// [WithoutRequestContext].
func RequestFrom(ctx context.Context) (*http.Request, bool) {
	st := stateFrom(ctx)
	if st == nil || st.req == nil {
		return nil, false
	}
	return st.req, true
}

// SetUser records user as the user of the request whose context ctx is or
// derives from, and reports whether there was such a request. The user is
// then visible to [UserFrom] in every context of the request, including
// contexts derived before the call and the one the receivers of
// [RequestFinished] and [GotRequestException] get. It is meant for
// authentication middleware that runs inside [Middleware] (the usual order):
//
//	func auth(next http.Handler) http.Handler {
//		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
//			u := authenticate(r)
//			signalshttp.SetUser(r.Context(), u)
//			next.ServeHTTP(w, r)
//		})
//	}
//
// A nil user removes the request's user. SetUser is safe to call
// concurrently with UserFrom.
func SetUser(ctx context.Context, user any) bool {
	st := stateFrom(ctx)
	if st == nil {
		return false
	}
	var b *userBox
	if user != nil {
		b = &userBox{user}
	}
	// A middleware nested in another one (two routers, say) serves the same
	// request: both hold the user.
	for ; st != nil; st = stateFrom(st.parent) {
		st.user.Store(b)
	}
	return true
}

// WithUser returns a copy of ctx that carries user, for code that has no
// request of [Middleware]: authentication middleware that runs outside it
// (the middleware's context then inherits the user), background jobs,
// command-line tools, tests. Inside a request it overrides the request's user
// for the work done with the returned context only; use [SetUser] to set the
// user of the whole request.
func WithUser(ctx context.Context, user any) context.Context {
	return context.WithValue(ctx, userKey, &userBox{user})
}

// UserFrom returns the user carried by ctx, if it is a U: the nearest one of
// a [WithUser] context and the user of the request set with [SetUser]. It
// returns false when there is none or when it is not a U.
func UserFrom[U any](ctx context.Context) (U, bool) {
	var zero U
	if ctx == nil {
		return zero, false
	}
	b, _ := ctx.Value(userKey).(*userBox)
	if b == nil {
		return zero, false
	}
	u, ok := b.v.(U)
	return u, ok
}
