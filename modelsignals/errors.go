package modelsignals

import "errors"

// ErrNotModel reports a type used as a model that is not a struct type.
var ErrNotModel = errors.New("modelsignals: not a model type")
