package signals

import (
	"context"
	"slices"
)

// Muter is implemented by every *[Signal]; it lets [Mute] take signals of
// different event types.
type Muter interface {
	muteCore() *core
}

type muteKey struct{}

// muteState is immutable; each Mute/Unmute derives a new one.
type muteState struct {
	all bool
	// when all: the signals unmuted again; otherwise: the signals muted.
	list []*core
}

func (m *muteState) muted(c *core) bool {
	return m.all != slices.Contains(m.list, c)
}

func stateOf(ctx context.Context) *muteState {
	st, _ := ctx.Value(muteKey{}).(*muteState)
	return st
}

// Mute returns a copy of ctx in which the given signals call no receiver:
// sends with that context (or one derived from it) return nil at once. It is
// the goroutine-safe replacement for disconnecting receivers around bulk
// imports, fixtures and tests: other goroutines, with other contexts, are
// not affected. Nil signals are ignored.
//
// Muting costs nothing for signals never muted: a send consults the context
// only once some context has muted its signal (or all signals). That switch
// is permanent for the process: after one Mute of a signal, every send of it
// takes the slower path that reads the context (a few nanoseconds more, per
// level of context), and after one [MuteAll], every send of every signal.
func Mute(ctx context.Context, sigs ...Muter) context.Context {
	return derive(ctx, sigs, true)
}

// Unmute returns a copy of ctx in which the given signals call their
// receivers again, undoing [Mute] or [MuteAll] for them.
func Unmute(ctx context.Context, sigs ...Muter) context.Context {
	return derive(ctx, sigs, false)
}

// MuteAll returns a copy of ctx in which every signal calls no receiver,
// except those later named by [Unmute].
func MuteAll(ctx context.Context) context.Context {
	// Once MuteAll has been called anywhere, and once a signal is named by
	// Mute or Unmute, sends of it look at their context (flagMuted).
	globalFlags.Or(flagMuted)
	return context.WithValue(ctx, muteKey{}, &muteState{all: true})
}

// IsMuted reports whether sends of sig with ctx are muted.
func IsMuted(ctx context.Context, sig Muter) bool {
	c := coreOf(sig)
	if c == nil || ctx == nil {
		return false
	}
	st := stateOf(ctx)
	return st != nil && st.muted(c)
}

func coreOf(sig Muter) *core {
	if isNil(sig) {
		return nil
	}
	return sig.muteCore()
}

func derive(ctx context.Context, sigs []Muter, mute bool) context.Context {
	old := stateOf(ctx)
	st := &muteState{}
	if old != nil {
		st.all = old.all
		st.list = slices.Clone(old.list)
	}
	for _, sig := range sigs {
		c := coreOf(sig)
		if c == nil {
			continue
		}
		c.flags.Or(flagMuted)
		// In "all" mode the list holds exceptions (unmuted signals); in the
		// other mode it holds muted signals.
		add := mute != st.all
		i := slices.Index(st.list, c)
		switch {
		case add && i < 0:
			st.list = append(st.list, c)
		case !add && i >= 0:
			st.list = slices.Delete(st.list, i, i+1)
		}
	}
	return context.WithValue(ctx, muteKey{}, st)
}

// muted reports whether ctx mutes s. It touches the context only when some
// context has ever muted s or all signals. It is not generic, so that it
// inlines into the send paths.
func (c *core) muted(ctx context.Context) bool {
	return (c.flags.Load()|globalFlags.Load())&flagMuted != 0 && c.mutedIn(ctx)
}

func (c *core) mutedIn(ctx context.Context) bool {
	if ctx == nil {
		return false
	}
	st, _ := ctx.Value(muteKey{}).(*muteState)
	return st != nil && st.muted(c)
}
