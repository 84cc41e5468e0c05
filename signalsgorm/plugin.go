package signalsgorm

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"slices"
	"sync"
	"sync/atomic"

	"gorm.io/gorm"
	"gorm.io/gorm/schema"

	"github.com/gosignals/signals/modelsignals"
	"github.com/gosignals/signals/signalsgorm/internal/assoc"
	"github.com/gosignals/signals/signalsgorm/internal/collector"
	"github.com/gosignals/signals/signalsgorm/internal/txpool"
)

// Plugin emits the model signals of package modelsignals from a *gorm.DB.
// Install it with db.Use(signalsgorm.New()) or [Install]. One Plugin serves
// one *gorm.DB (and its sessions and transactions); give each database its
// own, with its own alias ([Using]).
type Plugin struct {
	using string
	err   error

	db     *gorm.DB
	pool   *txpool.Pool // the transaction pool; nil if db's pool cannot begin transactions
	mysql  bool
	logger *slog.Logger // for on-commit callbacks; nil: slog.Default()
	// models maps schemas to their registered models (nil: none); behind
	// a lock, as a pointer key hashes faster than a sync.Map's interface.
	modelsMu sync.RWMutex
	models   map[*schema.Schema]*modelsignals.Model
	pending  sync.Map // instance pointer → *saveState, for Save's insert fallback
	// pendingN counts the entries of pending, or more (a Store replacing
	// one): at 0 there are none to look up.
	pendingN atomic.Int64
	rels     sync.Map // *schema.Relationship → *m2mRel
	// joins maps schemas to the relations using them as join table: a
	// map never modified once stored (a schema met for the first time
	// stores a copy with it), read without a lock by every delete, as a
	// pointer key hashes faster than a sync.Map's interface.
	joinsMu sync.Mutex
	joins   atomic.Pointer[map[*schema.Schema][]*schema.Relationship]
	track   tracker
	kept    atomic.Int64 // states kept in statements' clauses for a later hook (keepState), or more
	m2mOpen atomic.Int64 // m2m_changed states kept for post_* (sendPre) and not yet taken

	perObject map[reflect.Type]bool // PerObjectUpdates

	rules     []rule          // DeleteRule options
	maxParams int             // bind parameters per statement of the collector
	graph     collector.Graph // the relations between the models met
	delEnv    *collector.Env  // what the collector needs from the plugin

	durable durableState // durable receivers: the outbox store, the workers to wake
}

// An Option configures a [Plugin].
type Option func(*Plugin)

// Using sets the connection alias reported as Using in events (Django's
// using). The default is "default".
func Using(alias string) Option {
	return func(p *Plugin) {
		if alias == "" {
			p.err = errors.New("signalsgorm: Using: empty alias")
			return
		}
		p.using = alias
	}
}

// Logger sets the logger that receives the failures of on-commit callbacks
// and after-commit receivers (see [OnCommit]). The default is
// [slog.Default], looked up when a failure is logged.
func Logger(l *slog.Logger) Option {
	return func(p *Plugin) {
		if l == nil {
			p.err = errors.New("signalsgorm: Logger: nil logger")
			return
		}
		p.logger = l
	}
}

// New returns a plugin. Invalid options are reported by Initialize, so by
// db.Use.
func New(opts ...Option) *Plugin {
	p := &Plugin{using: "default"}
	for _, o := range opts {
		if o == nil {
			p.err = errors.New("signalsgorm: nil Option")
			continue
		}
		o(p)
	}
	return p
}

// PluginName is the name the plugin is registered under in db.Plugins.
const PluginName = "signals"

// Name implements gorm.Plugin.
func (p *Plugin) Name() string { return PluginName }

// Using returns the plugin's connection alias.
func (p *Plugin) Using() string { return p.using }

// Install installs a new plugin with opts on db, or does nothing if db
// already has one and no options are given: unlike db.Use, installing
// twice is not an error. Options cannot change an installed plugin, so
// Install with options on a db that has one fails with an error wrapping
// [ErrInstalled].
//
// A second db.Use(signalsgorm.New()) on the same *gorm.DB fails with
// GORM's bare gorm.ErrRegistered ("registered"): GORM checks its list of
// plugins before it asks the plugin anything.
func Install(db *gorm.DB, opts ...Option) error {
	if _, ok := db.Plugins[PluginName]; ok {
		if len(opts) > 0 {
			return fmt.Errorf("%w; its options are set when it is installed: pass them to the first Install or db.Use, "+
				"or call Install without options to make sure the plugin is there", ErrInstalled)
		}
		return nil
	}
	return db.Use(New(opts...))
}

// From returns the plugin installed on db, or nil.
func From(db *gorm.DB) *Plugin {
	p, _ := db.Plugins[PluginName].(*Plugin)
	return p
}

// Initialize implements gorm.Plugin: it validates the options, puts the
// plugin's transaction pool between GORM and the connection pool, and
// registers the plugin's callbacks in GORM's chains (see chain.go).
func (p *Plugin) Initialize(db *gorm.DB) error {
	if p.err != nil {
		return p.err
	}
	if p.db != nil && p.db.Config != db.Config {
		return fmt.Errorf("signalsgorm: plugin already initialized for another *gorm.DB; create one plugin per database")
	}
	if txpool.Installed(db) {
		return fmt.Errorf("%w (its connection pool is already wrapped, under another name in gorm.Config.Plugins?); "+
			"install one plugin per database, once", ErrInstalled)
	}
	p.db = db
	p.mysql = db.Dialector.Name() == "mysql"
	if err := p.prepareDelete(db); err != nil {
		return err
	}
	p.pool = txpool.Install(db, p.runCommitted)
	return p.registerChain(db)
}

// prepareDelete checks the DeleteRule options and sets the collector up.
func (p *Plugin) prepareDelete(db *gorm.DB) error {
	for _, r := range p.rules {
		s, err := parse(db, r.model)
		if err != nil {
			return fmt.Errorf("signalsgorm: DeleteRule: %w", err)
		}
		if !slices.ContainsFunc(collector.Relations(s), func(rel *schema.Relationship) bool { return rel.Name == r.field }) {
			return fmt.Errorf("signalsgorm: DeleteRule(%T, %q): %s has no relation field %q", r.model, r.field, s.Name, r.field)
		}
		p.graph.SetRule(s, r.field, collector.Mode(r.mode))
	}
	if p.maxParams == 0 {
		p.maxParams = collector.ParamLimit(db)
	}
	p.delEnv = &collector.Env{Model: p.model, Context: withDB, Using: p.using, MaxParams: p.maxParams,
		Through: func(rel *schema.Relationship) *modelsignals.Model { return p.m2m(rel).through },
		Lean:    p.leanLoad}
	return nil
}

// leanLoad reports whether nothing observes the loading of rows of s: no
// pre_init or post_init receiver, no AfterFind method, no change
// tracking; the collector may then read them without GORM's Find.
func (p *Plugin) leanLoad(ctx context.Context, s *schema.Schema) bool {
	return !s.AfterFind && !p.track.tracks(s.ModelType) &&
		!modelsignals.PreInit.Active(ctx, s.ModelType) && !modelsignals.PostInit.Active(ctx, s.ModelType)
}

// model returns the modelsignals model of s, registering it (and so sending
// class_prepared) the first time.
func (p *Plugin) model(s *schema.Schema) *modelsignals.Model {
	return p.modelContext(context.Background(), s)
}

// modelContext is model sending class_prepared with ctx.
func (p *Plugin) modelContext(ctx context.Context, s *schema.Schema) *modelsignals.Model {
	p.modelsMu.RLock()
	m, ok := p.models[s]
	p.modelsMu.RUnlock()
	if ok {
		return m
	}
	if assoc.Generated(s.ModelType) {
		return p.generatedJoinModel(s)
	}
	m, err := modelsignals.RegisterContext(ctx, modelsignals.Model{Type: s.ModelType, Table: s.Table})
	if err != nil {
		return nil
	}
	p.storeModel(s, m)
	p.graph.Add(s)
	return m
}

// storeModel records m as the model of s.
func (p *Plugin) storeModel(s *schema.Schema, m *modelsignals.Model) {
	p.modelsMu.Lock()
	defer p.modelsMu.Unlock()
	if p.models == nil {
		p.models = map[*schema.Schema]*modelsignals.Model{}
	}
	p.models[s] = m
}

// Register parses the schemas of models (pointers to model structs, as for
// AutoMigrate) and registers them, sending class_prepared for the ones not
// seen before; [modelsignals.Models] then lists them. Models are otherwise
// registered lazily, the first time a statement uses them.
func Register(db *gorm.DB, models ...any) error {
	p := From(db)
	if p == nil {
		return errNotInstalled
	}
	for _, m := range models {
		s, err := parse(db, m)
		if err != nil {
			return err
		}
		p.model(s)
	}
	return nil
}

func parse(db *gorm.DB, model any) (*schema.Schema, error) {
	if model == nil {
		return nil, fmt.Errorf("%w: nil model", modelsignals.ErrNotModel)
	}
	t := reflect.TypeOf(model)
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return nil, fmt.Errorf("%w: %T", modelsignals.ErrNotModel, model)
	}
	stmt := &gorm.Statement{DB: db}
	if err := stmt.Parse(model); err != nil {
		return nil, fmt.Errorf("signalsgorm: parsing %T: %w", model, err)
	}
	return stmt.Schema, nil
}
