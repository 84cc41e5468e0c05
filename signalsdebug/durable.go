package signalsdebug

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gosignals/signals/outbox"
)

// Outbox is what the durable receivers panel reads, and replays dead
// letters with: signalsgorm's embedded outbox (*outboxgorm.Outbox)
// satisfies it, as may any other store with statistics and dead letters.
type Outbox interface {
	Stats(ctx context.Context) ([]outbox.Stats, error)
	outbox.DeadLetters
}

// An Option configures the [Handler].
type Option func(*options)

type options struct {
	outboxes []namedOutbox
	values   bool
	replay   bool
	secret   []byte // keys the replay form's token
}

type namedOutbox struct {
	name string
	ob   Outbox
}

// WithOutbox adds a durable receivers panel for ob, titled name, to the
// page: each receiver's backlog, lag, attempts and last error, and the
// dead letters with their error and a preview of their payload. It may be
// given once per outbox.
func WithOutbox(name string, ob Outbox) Option {
	return func(o *options) { o.outboxes = append(o.outboxes, namedOutbox{name, ob}) }
}

// ShowValues shows the values of the dead letters' instances and changes
// in their previews, which otherwise show only their field names. Fields
// tagged signals:"sensitive" stay hidden, and so do the values of models
// this process has not registered (it cannot tell their sensitive fields).
func ShowValues() Option { return func(o *options) { o.values = true } }

// AllowReplay adds a replay button to each dead letter: a POST, carrying a
// token only the page holds and refused from another site, that makes the
// dead letter pending again (Outbox.Replay). Without it the panel is read
// only.
func AllowReplay() Option { return func(o *options) { o.replay = true } }

// Durable is the durable receivers panel, as the page shows it and the
// JSON endpoint returns it.
type Durable struct {
	Outboxes []DurableOutbox `json:"outboxes"`
	// ValuesShown and ReplayAllowed say whether ShowValues and
	// AllowReplay were given.
	ValuesShown   bool   `json:"values_shown"`
	ReplayAllowed bool   `json:"replay_allowed"`
	Token         string `json:"-"`
	// Replayed is the number of dead letters the last replay requeued,
	// -1 when the page does not follow a replay.
	Replayed int `json:"-"`
}

// DurableOutbox is one outbox's receivers and dead letters.
type DurableOutbox struct {
	Name        string            `json:"name"`
	Receivers   []DurableReceiver `json:"receivers"`
	DeadLetters []DeadLetter      `json:"dead_letters"`
	Error       string            `json:"error,omitempty"`
}

// DurableReceiver is one durable receiver's backlog ([outbox.Stats]).
type DurableReceiver struct {
	Name      string `json:"name"`
	Pending   int64  `json:"pending"`
	Dead      int64  `json:"dead"`
	Delivered int64  `json:"delivered"`
	LagNS     int64  `json:"lag_ns"`
	Attempts  int    `json:"attempts"`
	LastError string `json:"last_error,omitempty"`
}

// DeadLetter is one dead letter, its payload previewed: the envelope's
// metadata, and the names of its instance's and changes' fields, with
// their values redacted unless ShowValues was given.
type DeadLetter struct {
	ID       string    `json:"id"`
	Receiver string    `json:"receiver"`
	EventID  string    `json:"event_id"`
	Attempts int       `json:"attempts"`
	Error    string    `json:"error"`
	FailedAt time.Time `json:"failed_at"`
	Preview  string    `json:"preview"`
}

// deadLimit is how many dead letters the panel lists per outbox.
const deadLimit = 50

// maxText bounds the errors and previews the panel shows.
const maxText = 600

func newOptions(opts []Option) *options {
	o := &options{secret: make([]byte, 32)}
	_, _ = rand.Read(o.secret) // crypto/rand.Read never fails (Go 1.24+)
	for _, opt := range opts {
		if opt != nil {
			opt(o)
		}
	}
	return o
}

// token is the replay form's token: a keyed hash only the page holds.
func (o *options) token() string {
	m := hmac.New(sha256.New, o.secret)
	m.Write([]byte("signalsdebug replay"))
	return hex.EncodeToString(m.Sum(nil))
}

// collectDurable reads every outbox's panel.
func (o *options) collectDurable(ctx context.Context, replayed int) *Durable {
	if len(o.outboxes) == 0 {
		return nil
	}
	d := &Durable{ValuesShown: o.values, ReplayAllowed: o.replay, Replayed: replayed}
	if o.replay {
		d.Token = o.token()
	}
	for _, no := range o.outboxes {
		d.Outboxes = append(d.Outboxes, o.collectOutbox(ctx, no))
	}
	return d
}

func (o *options) collectOutbox(ctx context.Context, no namedOutbox) DurableOutbox {
	do := DurableOutbox{Name: no.name}
	if no.ob == nil {
		do.Error = "signalsdebug: WithOutbox(" + strconv.Quote(no.name) + ", nil): no outbox to show"
		return do
	}
	stats, err := no.ob.Stats(ctx)
	if err != nil {
		do.Error = err.Error()
		return do
	}
	seen := map[string]bool{}
	for _, s := range stats {
		seen[s.Receiver] = true
		do.Receivers = append(do.Receivers, DurableReceiver{Name: s.Receiver, Pending: s.Pending, Dead: s.Dead,
			Delivered: s.Delivered, LagNS: int64(s.Lag), Attempts: s.Attempts, LastError: clip(s.LastError)})
	}
	for _, r := range outbox.DefaultRegistry.Receivers() { // registered, nothing in the outbox yet
		if !seen[r.Name] {
			do.Receivers = append(do.Receivers, DurableReceiver{Name: r.Name})
		}
	}
	slices.SortFunc(do.Receivers, func(a, b DurableReceiver) int { return strings.Compare(a.Name, b.Name) })
	dead, err := no.ob.DeadLetters(ctx, "", deadLimit)
	if err != nil {
		do.Error = err.Error()
		return do
	}
	for _, dl := range dead {
		do.DeadLetters = append(do.DeadLetters, DeadLetter{ID: dl.ID, Receiver: dl.Receiver, EventID: dl.EventID,
			Attempts: dl.Attempts, Error: clip(dl.Error), FailedAt: dl.FailedAt, Preview: clip(Preview(dl.Payload, o.values))})
	}
	return do
}

// clip shortens s to maxText bytes (at a rune boundary).
func clip(s string) string {
	if len(s) <= maxText {
		return s
	}
	cut := maxText
	for cut > 0 && s[cut]&0xc0 == 0x80 {
		cut--
	}
	return s[:cut] + "…"
}

// replay serves the POST of a replay button.
func (o *options) serveReplay(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		http.Error(w, "signalsdebug: replay: method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if !o.replay {
		http.Error(w, "signalsdebug: replay is off (signalsdebug.AllowReplay turns it on)", http.StatusForbidden)
		return
	}
	if !sameOrigin(r) {
		http.Error(w, "signalsdebug: replay: cross-site request refused", http.StatusForbidden)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "signalsdebug: replay: "+err.Error(), http.StatusBadRequest)
		return
	}
	if !hmac.Equal([]byte(r.PostForm.Get("token")), []byte(o.token())) {
		http.Error(w, "signalsdebug: replay: missing or wrong token (reload the page)", http.StatusForbidden)
		return
	}
	name, ids := r.PostForm.Get("outbox"), r.PostForm["id"]
	i := slices.IndexFunc(o.outboxes, func(no namedOutbox) bool { return no.name == name })
	if i < 0 || len(ids) == 0 {
		http.Error(w, "signalsdebug: replay: no such outbox, or no dead letter given", http.StatusBadRequest)
		return
	}
	if o.outboxes[i].ob == nil {
		http.Error(w, "signalsdebug: replay: the outbox "+strconv.Quote(name)+" is nil", http.StatusBadRequest)
		return
	}
	n, err := o.outboxes[i].ob.Replay(r.Context(), ids...)
	if err != nil {
		http.Error(w, "signalsdebug: replay: "+err.Error(), http.StatusBadRequest)
		return
	}
	page := strings.TrimSuffix(r.URL.Path, "durable/replay")
	http.Redirect(w, r, page+"?replayed="+strconv.Itoa(n)+"#durable", http.StatusSeeOther)
}

// sameOrigin reports whether a POST comes from a page of this server: the
// browser's Sec-Fetch-Site says so, or its Origin names this host.
// Requests without either (not from a browser) pass; the token guards
// them.
func sameOrigin(r *http.Request) bool {
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" {
		return site == "same-origin" || site == "none"
	}
	if origin := r.Header.Get("Origin"); origin != "" {
		u, err := url.Parse(origin)
		return err == nil && u.Host == r.Host
	}
	return true
}
