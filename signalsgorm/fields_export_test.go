package signalsgorm

import "gorm.io/gorm"

// PartialLoads returns the number of partial loads (objects, or slices)
// db's plugin remembers (for tests).
func PartialLoads(db *gorm.DB) int { return From(db).track.partial.size() }
