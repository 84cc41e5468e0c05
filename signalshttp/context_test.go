package signalshttp_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/gosignals/signals"
	"github.com/gosignals/signals/signalshttp"
	"github.com/gosignals/signals/signalstest"
)

type user struct{ Name string }

// bookSaved stands in for a model signal sent by an ORM with the context it
// was given (db.WithContext(r.Context())).
var bookSaved = signals.New[string]("book_saved")

type auditLine struct {
	book, user string
	req        *http.Request
}

// connectAudit connects a request-aware receiver to bookSaved for one test
// and returns what it saw.
func connectAudit(t *testing.T, s testSender) func() []auditLine {
	var mu sync.Mutex
	var lines []auditLine
	h := bookSaved.ConnectFunc(func(ctx context.Context, book string) error {
		u, _ := signalshttp.UserFrom[*user](ctx)
		r, _ := signalshttp.RequestFrom(ctx)
		l := auditLine{book: book, req: r}
		if u != nil {
			l.user = u.Name
		}
		mu.Lock()
		lines = append(lines, l)
		mu.Unlock()
		return nil
	}, signals.Sender(s))
	t.Cleanup(func() { h.Disconnect() })
	return func() []auditLine {
		mu.Lock()
		defer mu.Unlock()
		return append([]auditLine(nil), lines...)
	}
}

// saveBook is the application code: it knows nothing of requests and
// passes its context on, with a timeout as ORMs do.
func saveBook(ctx context.Context, s testSender, title string) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	return bookSaved.Send(ctx, s, title)
}

// innerAuth is authentication middleware running inside signalshttp's, the
// usual order: it sets the user of the request, then derives its own
// context as middleware do.
func innerAuth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		signalshttp.SetUser(r.Context(), &user{Name: r.Header.Get("X-User")})
		type k struct{}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), k{}, "derived")))
	})
}

// outerAuth is authentication middleware running outside signalshttp's.
func outerAuth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(signalshttp.WithUser(r.Context(), &user{Name: r.Header.Get("X-User")})))
	})
}

func TestRequestAwareSignals(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		// chain puts the middleware and authentication around app and
		// returns the request the middleware passes on.
		chain func(rs *recorders, app http.Handler) (h http.Handler, mwReq func() *http.Request)
	}{
		{"auth inside", func(rs *recorders, app http.Handler) (http.Handler, func() *http.Request) {
			h, _ := rs.middleware(innerAuth(app))
			return h, func() *http.Request { return rs.started.Last().Request }
		}},
		{"auth outside", func(rs *recorders, app http.Handler) (http.Handler, func() *http.Request) {
			mw, _ := rs.middleware(app)
			return outerAuth(mw), func() *http.Request { return rs.started.Last().Request }
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rs := record(t)
			audit := connectAudit(t, rs.sender)
			h, mwReq := tt.chain(rs, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if err := saveBook(r.Context(), rs.sender, "Dune"); err != nil {
					t.Error(err)
				}
			}))
			r := httptest.NewRequest(http.MethodPost, "/books", nil)
			r.Header.Set("X-User", "ada")
			h.ServeHTTP(httptest.NewRecorder(), r)

			lines := audit()
			if len(lines) != 1 || lines[0].book != "Dune" || lines[0].user != "ada" || lines[0].req != mwReq() {
				t.Fatalf("audit saw %+v, want Dune by ada with the middleware's request", lines)
			}
			// The middleware's own receivers see the user too.
			fin := rs.finished.Calls()[0]
			if u, ok := signalshttp.UserFrom[*user](fin.Ctx); !ok || u.Name != "ada" {
				t.Errorf("request_finished context: user %v, %v", u, ok)
			}
			if r, ok := signalshttp.RequestFrom(fin.Ctx); !ok || r != mwReq() {
				t.Errorf("request_finished context: request %p, %v", r, ok)
			}
		})
	}
}

func TestUserPrecedence(t *testing.T) {
	t.Parallel()
	var ctxs []context.Context
	h := signalshttp.Middleware(signalshttp.WithSender(testSender(t.Name())))(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		ctxs = append(ctxs, ctx) // 0: the outer user
		child, cancel := context.WithCancel(ctx)
		defer cancel()
		signalshttp.SetUser(ctx, &user{"bob"})
		ctxs = append(ctxs, ctx, child) // 1, 2: the request's user, also for a context derived before
		ctxs = append(ctxs, signalshttp.WithUser(child, &user{"carol"}))
		ctxs = append(ctxs, signalshttp.WithUser(child, nil)) // 4: no user in this scope
	}))
	outer := signalshttp.WithUser(context.Background(), &user{"alice"})
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequestWithContext(outer, http.MethodGet, "/", nil))

	names := func(ctx context.Context) string {
		u, ok := signalshttp.UserFrom[*user](ctx)
		if !ok {
			return "-"
		}
		return u.Name
	}
	// Read after the request: SetUser applies to every context of it.
	want := []string{"bob", "bob", "bob", "carol", "-"}
	for i, ctx := range ctxs {
		if got := names(ctx); got != want[i] {
			t.Errorf("context %d: user %s, want %s", i, got, want[i])
		}
	}
	if !signalshttp.SetUser(ctxs[0], nil) || names(ctxs[1]) != "alice" {
		t.Errorf("SetUser(nil) left %s, want the outer user back", names(ctxs[1]))
	}
	if _, ok := signalshttp.UserFrom[string](ctxs[3]); ok {
		t.Error("UserFrom[string] found a *user")
	}
}

func TestContextHelpersOutsideRequests(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	if signalshttp.SetUser(ctx, "x") {
		t.Error("SetUser outside a request reported success")
	}
	if _, ok := signalshttp.RequestFrom(ctx); ok {
		t.Error("RequestFrom found a request in Background")
	}
	if _, ok := signalshttp.UserFrom[string](ctx); ok {
		t.Error("UserFrom found a user in Background")
	}
	var nilCtx context.Context
	if _, ok := signalshttp.UserFrom[string](nilCtx); ok {
		t.Error("UserFrom(nil) found a user")
	}
	if _, ok := signalshttp.RequestFrom(nilCtx); ok {
		t.Error("RequestFrom(nil) found a request")
	}
	if u, ok := signalshttp.UserFrom[string](signalshttp.WithUser(ctx, "job-runner")); !ok || u != "job-runner" {
		t.Errorf("WithUser: %q, %v", u, ok)
	}

	// WithoutRequestContext leaves the request's context alone.
	var got context.Context
	base := httptest.NewRequest(http.MethodGet, "/", nil)
	signalshttp.Middleware(signalshttp.WithoutRequestContext())(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Context()
	})).ServeHTTP(httptest.NewRecorder(), base)
	if got != base.Context() {
		t.Error("WithoutRequestContext: the handler got another context")
	}
}

// The middleware's context forwards cancellation and deadlines, and contexts
// derived from it are cancelled with the request.
func TestRequestContextCancellation(t *testing.T) {
	t.Parallel()
	rs := record(t)
	dl := time.Now().Add(time.Hour)
	parent, cancelParent := context.WithDeadline(context.Background(), dl)
	defer cancelParent()
	ready := make(chan struct{})
	h, _ := rs.middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		if d, ok := ctx.Deadline(); !ok || !d.Equal(dl) {
			t.Errorf("deadline %v %v", d, ok)
		}
		child, cancel := context.WithCancel(ctx)
		defer cancel()
		close(ready)
		select {
		case <-child.Done():
		case <-time.After(10 * time.Second):
			t.Error("derived context not cancelled with the request")
		}
		if ctx.Err() != context.Canceled {
			t.Errorf("Err %v", ctx.Err())
		}
	}))
	served := make(chan struct{})
	go func() {
		defer close(served)
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequestWithContext(parent, http.MethodGet, "/", nil))
	}()
	<-ready
	cancelParent()
	<-served
	rs.finished.AssertCount(1)
	call := rs.finished.Calls()[0]
	if !call.Event.ClientGone || call.Ctx.Err() != nil {
		t.Errorf("finished: ClientGone %v, context error %v; want the flag and a live context", call.Event.ClientGone, call.Ctx.Err())
	}
}

// With the middleware installed twice (an application mounted in another),
// the user set inside reaches the receivers of both.
func TestNestedMiddleware(t *testing.T) {
	t.Parallel()
	outer := record(t)
	innerSender := testSender(t.Name() + "/inner")
	innerFinished := signalstest.Record(t, signalshttp.RequestFinished, signalstest.WithSender(innerSender))
	hInner := signalshttp.Middleware(signalshttp.WithSender(innerSender))(innerAuth(http.NotFoundHandler()))
	h, _ := outer.middleware(hInner)
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("X-User", "ada")
	h.ServeHTTP(httptest.NewRecorder(), r)

	for name, ctx := range map[string]context.Context{"outer": outer.finished.Calls()[0].Ctx, "inner": innerFinished.Calls()[0].Ctx} {
		if u, ok := signalshttp.UserFrom[*user](ctx); !ok || u.Name != "ada" {
			t.Errorf("%s middleware's request_finished: user %v, %v", name, u, ok)
		}
	}
	if r, _ := signalshttp.RequestFrom(innerFinished.Calls()[0].Ctx); r != innerFinished.Last().Request {
		t.Error("RequestFrom does not return the inner middleware's request")
	}
}

// SetUser and UserFrom may race: receivers run in other goroutines (async
// sends, work the handler starts).
func TestUserConcurrentAccess(t *testing.T) {
	t.Parallel()
	h := signalshttp.Middleware(signalshttp.WithSender(testSender(t.Name())))(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range 100 {
					if i%2 == 0 {
						signalshttp.SetUser(r.Context(), &user{"u"})
					} else if u, ok := signalshttp.UserFrom[*user](r.Context()); ok && u.Name != "u" {
						t.Errorf("user %q", u.Name)
					}
				}
			}()
		}
		wg.Wait()
	}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
}
