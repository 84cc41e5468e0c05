package signalsriver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/gosignals/signals/outbox"
)

// deadStates are the states of the jobs that failed for good: discarded
// after MaxAttempts, or cancelled (a permanent failure, or a person in
// River UI).
var deadStates = []rivertype.JobState{rivertype.JobStateDiscarded, rivertype.JobStateCancelled}

var (
	_ outbox.DeadLetters = (*Worker)(nil)
	_ outbox.BatchStore  = (*Engine)(nil)
)

// DeadLetters implements outbox.DeadLetters: it returns up to limit jobs
// of receiver ("" for every receiver of the worker) that River discarded
// or cancelled, oldest first. A dead letter's ID is the job's ID.
func (w *Worker) DeadLetters(ctx context.Context, receiver string, limit int) ([]outbox.DeadLetter, error) {
	kinds := w.kinds
	if receiver != "" {
		kinds = []string{Kind(receiver)}
	}
	if limit <= 0 || len(kinds) == 0 {
		return nil, nil
	}
	params := river.NewJobListParams().Kinds(kinds...).States(deadStates...).
		OrderBy(river.JobListOrderByID, river.SortOrderAsc).First(limit)
	res, err := w.client.JobList(ctx, params)
	if err != nil {
		return nil, fmt.Errorf("signalsriver: listing dead letters: %w", err)
	}
	out := make([]outbox.DeadLetter, 0, len(res.Jobs))
	for _, j := range res.Jobs {
		out = append(out, deadLetter(j))
	}
	return out, nil
}

func deadLetter(j *rivertype.JobRow) outbox.DeadLetter {
	var args jobArgs
	_ = json.Unmarshal(j.EncodedArgs, &args)
	dl := outbox.DeadLetter{ID: strconv.FormatInt(j.ID, 10), Receiver: args.Receiver, Payload: args.Event, Attempts: j.Attempt}
	if env, err := outbox.Decode(args.Event); err == nil {
		dl.EventID, dl.Topic = env.ID, outbox.Topic(env.Signal, env.Model)
	}
	if n := len(j.Errors); n > 0 {
		dl.Error = j.Errors[n-1].Error
	}
	if j.FinalizedAt != nil {
		dl.FailedAt = *j.FinalizedAt
	}
	return dl
}

// Replay implements outbox.DeadLetters: River's JobRetry makes each
// discarded or cancelled job of a durable receiver available again. IDs of
// other jobs (running, completed, another kind) are refused with an error
// and not retried; the count covers the others.
func (w *Worker) Replay(ctx context.Context, ids ...string) (int, error) {
	n := 0
	var errs []error
	for _, s := range ids {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			errs = append(errs, fmt.Errorf("signalsriver: Replay: %q is not a job ID", s))
			continue
		}
		if err := w.replay(ctx, id); err != nil {
			errs = append(errs, err)
			continue
		}
		n++
	}
	return n, errors.Join(errs...)
}

func (w *Worker) replay(ctx context.Context, id int64) error {
	j, err := w.client.JobGet(ctx, id)
	if err != nil {
		return fmt.Errorf("signalsriver: Replay: job %d: %w", id, err)
	}
	if !w.works(j.Kind) {
		return fmt.Errorf("signalsriver: Replay: job %d is a %s job, not one of this worker's durable receivers", id, j.Kind)
	}
	if j.State != rivertype.JobStateDiscarded && j.State != rivertype.JobStateCancelled {
		return fmt.Errorf("signalsriver: Replay: job %d is %s, not a dead letter (discarded or cancelled)", id, j.State)
	}
	if _, err := w.client.JobRetry(ctx, id); err != nil {
		return fmt.Errorf("signalsriver: Replay: job %d: %w", id, err)
	}
	return nil
}

func (w *Worker) works(kind string) bool {
	for _, k := range w.kinds {
		if k == kind {
			return true
		}
	}
	return false
}
