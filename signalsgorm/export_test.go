package signalsgorm

import "gorm.io/gorm"

// TrackedSnapshots returns the number of change-tracking snapshots held by
// db's plugin (for tests).
func TrackedSnapshots(db *gorm.DB) int { return From(db).track.size() }
