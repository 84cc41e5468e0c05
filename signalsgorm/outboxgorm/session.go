package outboxgorm

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gosignals/signals/outbox"
)

// A session is one worker's hold on a receiver, from taking its lease to
// giving it up: the heartbeat keeps the lease meanwhile, and the
// deliveries' acknowledgements are gathered and written in batches.
type session struct {
	o    *Outbox
	name string
	// ctx is Run's (or RunOnce's): when it is done the session starts no
	// new delivery. live, which outlives it by the shutdown grace, is the
	// parent of the handlers' contexts; it is cancelled when the lease is
	// lost or the grace is over.
	ctx        context.Context
	live       context.Context
	cancelLive context.CancelCauseFunc
	stop       chan struct{} // stops the heartbeat

	acks      []int64 // delivered, not yet marked
	firstAck  time.Time
	abandoned bool        // a handler was left running: keep the lease until it expires
	run       *runner     // runs the handlers
	flush     *time.Timer // wait's, reused from one delivery to the next
	rows      []row       // pending's, reused from one batch to the next
}

// A runner is the goroutine that runs a session's handlers, one at a time,
// so that the worker can stop waiting for one. It is long-lived (a
// goroutine per delivery would grow a new stack each time); a runner left
// running an abandoned handler is replaced, and exits when the handler
// returns.
type runner struct {
	jobs chan job
	done chan error
}

type job struct {
	ctx context.Context
	d   *outbox.Delivery
}

func (s *session) runner() *runner {
	if s.run == nil {
		r := &runner{jobs: make(chan job), done: make(chan error, 1)}
		reg := s.o.cfg.Registry
		go func() {
			for j := range r.jobs {
				r.done <- reg.Deliver(j.ctx, j.d)
			}
		}()
		s.run = r
	}
	return s.run
}

// dropRunner lets the runner go: it exits once its handler returns.
func (s *session) dropRunner() {
	if s.run != nil {
		close(s.run.jobs)
		s.run = nil
	}
}

// ackInterval bounds how long a delivery waits to be marked delivered: a
// worker marks its deliveries at the end of each batch, or sooner when the
// oldest unmarked one is this old (slow handlers), so that a crash
// redelivers little.
const ackInterval = 100 * time.Millisecond

// errDeliveryTimeout is the cause of a handler context's cancellation when
// the DeliveryTimeout passes.
var errDeliveryTimeout = errors.New("outboxgorm: delivery timeout")

// lateReturn is how long a worker still waits, after cancelling a handler
// that timed out, for it to return before it moves on.
const lateReturn = time.Second

// startSession takes the lease of receiver name and starts its heartbeat;
// it returns nil when another worker holds the lease. hard is the parent
// of the handlers' contexts: cancelled when the shutdown grace is over.
func (o *Outbox) startSession(ctx, hard context.Context, name string) (*session, error) {
	held, err := o.acquire(ctx, name)
	if err != nil || !held {
		return nil, err
	}
	s := &session{o: o, name: name, ctx: ctx, stop: make(chan struct{})}
	s.live, s.cancelLive = context.WithCancelCause(hard)
	go s.heartbeat(s.stop)
	return s, nil
}

// end stops the heartbeat and writes the acknowledgements left. When
// release is set, and no handler was abandoned, it gives the lease up.
func (s *session) end(release bool) error {
	close(s.stop)
	s.dropRunner()
	defer s.cancelLive(nil)
	ctx, cancel := bounded(s.ctx)
	defer cancel()
	err := s.flushAcks(ctx)
	if release && !s.abandoned {
		s.o.release(ctx, s.name)
	}
	return err
}

// stopped reports why the session must start no new delivery, or nil.
func (s *session) stopped() error {
	if err := s.ctx.Err(); err != nil {
		return err
	}
	if s.live.Err() != nil {
		return context.Cause(s.live)
	}
	return nil
}

// call runs the handler of d in its own goroutine and waits for it, for
// DeliveryTimeout, or until the lease is lost or the shutdown grace is
// over. It returns the handler's error, the timeout as an error, or, with
// abandoned set, why the delivery was abandoned (it is then neither
// acknowledged nor counted as an attempt).
func (s *session) call(d *outbox.Delivery) (err error, abandoned bool) {
	hctx, cancel := context.WithTimeoutCause(s.live, s.o.cfg.DeliveryTimeout, errDeliveryTimeout)
	defer cancel()
	r := s.runner()
	r.jobs <- job{hctx, d}
	if err, done := s.wait(hctx, r); done {
		return err, false
	}
	if cause := context.Cause(hctx); !errors.Is(cause, errDeliveryTimeout) {
		s.abandon()
		return cause, true
	}
	late := time.NewTimer(lateReturn)
	defer late.Stop()
	select {
	case err := <-r.done:
		if err == nil {
			return nil, false // finished its work after all
		}
	case <-late.C:
		s.abandon() // still running: the lease must outlive it
	case <-s.live.Done():
		s.abandon()
		return context.Cause(s.live), true
	}
	return fmt.Errorf("outboxgorm: delivery to %s timed out after %v", d.Receiver, s.o.cfg.DeliveryTimeout), false
}

// wait waits for the handler r runs to return, or for hctx to be done;
// meanwhile it marks the deliveries made before delivered once the oldest
// has waited ackInterval, so that a slow handler does not hold their
// acknowledgement up.
func (s *session) wait(hctx context.Context, r *runner) (err error, done bool) {
	var flush <-chan time.Time
	if len(s.acks) > 0 {
		d := ackInterval - time.Since(s.firstAck)
		if s.flush == nil {
			s.flush = time.NewTimer(d)
		} else {
			s.flush.Reset(d) // since Go 1.23 a reset timer delivers no stale tick
		}
		defer s.flush.Stop()
		flush = s.flush.C
	}
	for {
		select {
		case err := <-r.done:
			return err, true
		case <-hctx.Done():
			return nil, false
		case <-flush:
			flush = nil
			if err := s.flushAcks(s.ctx); err != nil {
				s.o.cfg.Logger.Error("outboxgorm: outbox worker", "receiver", s.name, "error", err)
			}
		}
	}
}

// abandon leaves the handler running: its runner is replaced, and the
// lease is kept until it expires.
func (s *session) abandon() {
	s.abandoned = true
	s.dropRunner()
}
