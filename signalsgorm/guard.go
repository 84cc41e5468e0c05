package signalsgorm

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"gorm.io/gorm"

	"github.com/gosignals/signals/signalsgorm/internal/key"
)

// ErrRecursiveSave is returned (wrapped, with the chain of saves) when a
// receiver saves an object whose save is already in progress up the chain —
// the classic post_save that saves its own instance — or when saves nest
// deeper than [MaxSaveDepth]. Without the guard such code recurses until
// the stack overflows.
var ErrRecursiveSave = errors.New("signalsgorm: recursive save")

// MaxSaveDepth bounds how deeply saves started by receivers may nest.
const MaxSaveDepth = 32

// frame is one save in progress: the objects of one statement.
type frame struct {
	parent *frame
	depth  int
	objs   []objKey
	allow  int       // re-saves of these objects allowed below this frame
	one    [1]objKey // objs of a save of one object, without an allocation
}

// objKey identifies an object: by address, and by primary key once it has
// one.
type objKey struct {
	typ   reflect.Type
	ptr   uintptr
	pk    key.Key // zero until the object has a primary key
	label string
}

func (k objKey) String() string {
	if !k.pk.IsZero() {
		return k.label + "#" + k.pk.String()
	}
	return k.label + "(new)"
}

func (k objKey) same(o objKey) bool {
	return k.typ == o.typ && (k.ptr == o.ptr || !k.pk.IsZero() && k.pk == o.pk)
}

type frameKey struct{}
type allowKey struct{}

// AllowResave returns a copy of ctx in which a receiver may save the object
// whose save sent it, up to n nested times (for an intended, bounded
// re-save, such as filling in a field computed from the new primary key).
// Saves made with the returned context (through [DB]) are not reported by
// the recursion guard until they nest more than n deep on the same object.
func AllowResave(ctx context.Context, n int) context.Context {
	return context.WithValue(ctx, allowKey{}, n)
}

// guard checks that none of objs is already being saved up the chain of
// ctx, and returns the frame for this save.
func guard(db *gorm.DB, label string, objs []reflect.Value) (*frame, error) {
	ctx := db.Statement.Context
	parent, _ := ctx.Value(frameKey{}).(*frame)
	allow, _ := ctx.Value(allowKey{}).(int)
	f := &frame{parent: parent, allow: allow}
	if len(objs) == 1 {
		f.objs = f.one[:]
	} else {
		f.objs = make([]objKey, len(objs))
	}
	for i, o := range objs {
		f.objs[i] = objKey{typ: o.Type().Elem(), ptr: o.Pointer(), pk: pkKey(db.Statement, o), label: label}
	}
	if parent != nil {
		f.depth = parent.depth + 1
	}
	if f.depth >= MaxSaveDepth {
		return nil, fmt.Errorf("%w: saves nested %d deep: %s", ErrRecursiveSave, f.depth, chain(f))
	}
	for _, k := range f.objs {
		seen := 0
		for p := parent; p != nil; p = p.parent {
			for _, pk := range p.objs {
				if pk.same(k) {
					seen++
				}
			}
		}
		if seen > allow {
			return nil, fmt.Errorf("%w of %s: %s (a receiver saves the object whose save sent it; "+
				"use signalsgorm.AllowResave(ctx, n) for an intended re-save)", ErrRecursiveSave, k, chain(f))
		}
	}
	return f, nil
}

// chain names the saves from the outermost to f.
func chain(f *frame) string {
	var parts []string
	for p := f; p != nil; p = p.parent {
		names := make([]string, len(p.objs))
		for i, k := range p.objs {
			names[i] = k.String()
		}
		parts = append(parts, strings.Join(names, ","))
	}
	for i, j := 0, len(parts)-1; i < j; i, j = i+1, j-1 {
		parts[i], parts[j] = parts[j], parts[i]
	}
	return strings.Join(parts, " → ")
}

// pkKey returns the key of inst, or the zero Key while it has none.
func pkKey(stmt *gorm.Statement, inst reflect.Value) key.Key {
	if fields := stmt.Schema.PrimaryFields; len(fields) == 1 {
		v, zero := fields[0].ValueOf(stmt.Context, inst.Elem())
		if zero {
			return key.Key{}
		}
		return key.One(v)
	}
	if pkIsZero(stmt, inst) {
		return key.Key{}
	}
	return key.Of(stmt.Context, stmt.Schema.PrimaryFields, inst)
}

// withFrame returns ctx carrying f for the saves receivers make.
func withFrame(ctx context.Context, f *frame) context.Context {
	return context.WithValue(ctx, frameKey{}, f)
}
