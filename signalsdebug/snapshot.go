package signalsdebug

import (
	"time"

	"github.com/gosignals/signals"
	"github.com/gosignals/signals/modelsignals"
)

// Snapshot is what the page shows and the JSON endpoint returns: every
// signal with its receivers in call order and their statistics, the
// receivers of each registered model, and the recent traces.
type Snapshot struct {
	Time         time.Time `json:"time"`
	StatsEnabled bool      `json:"stats_enabled"`
	Signals      []Signal  `json:"signals"`
	Models       []Model   `json:"models"`
	Traces       []Trace   `json:"traces"`
}

// Signal is one signal of [signals.All].
type Signal struct {
	Name      string     `json:"name"`
	EventType string     `json:"event_type"`
	Receivers []Receiver `json:"receivers"`
}

// Receiver is one connected receiver, with its statistics when it has any.
type Receiver struct {
	ID       uint64 `json:"id"`
	Name     string `json:"name"`
	Func     string `json:"func"`
	Location string `json:"location"`
	File     string `json:"file"`
	Line     int    `json:"line"`
	// Sender is the sender the receiver is restricted to, "" for every
	// sender.
	Sender   string `json:"sender"`
	UID      string `json:"uid,omitempty"`
	Priority int    `json:"priority"`
	Mode     string `json:"mode"`
	Stats    *Stats `json:"stats,omitempty"`
}

// Stats are a receiver's statistics ([signals.ReceiverStats]), durations
// in nanoseconds.
type Stats struct {
	Calls    uint64 `json:"calls"`
	Errors   uint64 `json:"errors"`
	Panics   uint64 `json:"panics"`
	Measured uint64 `json:"measured"`
	MeanNS   int64  `json:"mean_ns"`
	P50NS    int64  `json:"p50_ns"`
	P99NS    int64  `json:"p99_ns"`
	MaxNS    int64  `json:"max_ns"`
}

// Model lists, for one registered model, the receivers each model signal
// would call for it, in call order (receivers of every sender included).
type Model struct {
	Label   string        `json:"label"`
	Table   string        `json:"table"`
	Signals []ModelSignal `json:"signals"`
}

// ModelSignal is one model signal with receivers for a model.
type ModelSignal struct {
	Signal    string     `json:"signal"`
	Receivers []Receiver `json:"receivers"`
}

// Trace is one trace of [signals.Traces].
type Trace struct {
	ID         uint64    `json:"id"`
	Name       string    `json:"name"`
	Started    time.Time `json:"started"`
	DurationNS int64     `json:"duration_ns"`
	Dropped    int       `json:"dropped"`
	Steps      []Step    `json:"steps"`
}

// Step is one step of a trace ([signals.Step]).
type Step struct {
	ID         int    `json:"id"`
	Parent     int    `json:"parent"`
	Depth      int    `json:"depth"`
	Kind       string `json:"kind"`
	Name       string `json:"name"`
	Signal     string `json:"signal,omitempty"`
	Sender     string `json:"sender,omitempty"`
	Mode       string `json:"mode,omitempty"`
	Location   string `json:"location,omitempty"`
	Detail     string `json:"detail,omitempty"`
	StartNS    int64  `json:"start_ns"`
	DurationNS int64  `json:"duration_ns"`
	Outcome    string `json:"outcome"`
	Err        string `json:"error,omitempty"`
}

// modelSignals are the model signals whose sender is the model type.
var modelSignals = []signals.AnySignal{
	modelsignals.PreInit, modelsignals.PostInit, modelsignals.PreSave, modelsignals.PostSave,
	modelsignals.PreUpdate, modelsignals.PostUpdate, modelsignals.PreDelete, modelsignals.PostDelete,
}

// Collect takes a snapshot of the signals, models and traces now.
func Collect() Snapshot {
	snap := Snapshot{Time: time.Now(), StatsEnabled: signals.StatsEnabled()}
	for _, s := range signals.All() {
		sig := Signal{Name: s.Name(), EventType: s.EventType().String()}
		for _, st := range s.Stats() {
			sig.Receivers = append(sig.Receivers, receiver(st))
		}
		snap.Signals = append(snap.Signals, sig)
	}
	for _, m := range modelsignals.Models() {
		model := Model{Label: m.Label, Table: m.Table}
		for _, s := range modelSignals {
			rs := s.ReceiversFor(m.Type)
			if len(rs) == 0 {
				continue
			}
			ms := ModelSignal{Signal: s.Name()}
			for _, r := range rs {
				ms.Receivers = append(ms.Receivers, receiver(signals.ReceiverStats{Receiver: r}))
			}
			model.Signals = append(model.Signals, ms)
		}
		snap.Models = append(snap.Models, model)
	}
	for _, tr := range signals.Traces() {
		t := Trace{ID: tr.ID(), Name: tr.Name(), Started: tr.Started(), DurationNS: int64(tr.Duration()), Dropped: tr.Dropped()}
		for _, s := range tr.Steps() {
			t.Steps = append(t.Steps, Step{ID: s.ID, Parent: s.Parent, Depth: s.Depth, Kind: s.Kind, Name: s.Name,
				Signal: s.Signal, Sender: s.Sender, Mode: s.Mode, Location: s.Location, Detail: s.Detail,
				StartNS: int64(s.Start), DurationNS: int64(s.Duration), Outcome: s.Outcome.String(), Err: s.Err})
		}
		snap.Traces = append(snap.Traces, t)
	}
	return snap
}

func receiver(st signals.ReceiverStats) Receiver {
	ri := st.Receiver
	r := Receiver{ID: ri.ID, Name: ri.Name, Func: ri.Func, Location: ri.Location(), File: ri.File, Line: ri.Line,
		Sender: signals.SenderName(ri.Sender), UID: ri.UID, Priority: ri.Priority, Mode: ri.Mode}
	if st.Calls > 0 {
		r.Stats = &Stats{Calls: st.Calls, Errors: st.Errors, Panics: st.Panics, Measured: st.Measured,
			MeanNS: int64(st.Mean), P50NS: int64(st.P50), P99NS: int64(st.P99), MaxNS: int64(st.Max)}
	}
	return r
}
