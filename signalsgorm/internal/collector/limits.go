package collector

import (
	"strconv"
	"strings"

	"gorm.io/gorm"
)

// reserveParams is kept free in each statement for the parameters of
// conditions other than the IN list (polymorphic types, soft deletes).
const reserveParams = 64

// ParamLimit returns the number of bind parameters a statement may use on
// db's dialect: 65535 for PostgreSQL and MySQL, 32766 for SQLite 3.32 and
// later, 999 otherwise.
func ParamLimit(db *gorm.DB) int {
	switch db.Dialector.Name() {
	case "postgres", "mysql":
		return 65535
	case "sqlite":
		var v string
		if err := db.Raw("SELECT sqlite_version()").Scan(&v).Error; err == nil && versionAtLeast(v, 3, 32) {
			return 32766
		}
	}
	return 999
}

func versionAtLeast(v string, major, minor int) bool {
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 {
		return false
	}
	ma, err1 := strconv.Atoi(parts[0])
	mi, err2 := strconv.Atoi(parts[1])
	return err1 == nil && err2 == nil && (ma > major || ma == major && mi >= minor)
}

// chunkSize returns how many tuples of width columns fit in one statement.
func chunkSize(limit, width int) int {
	n := (limit - reserveParams) / max(width, 1)
	return max(n, 1)
}

// chunks splits s into slices of at most n elements.
func chunks[T any](s []T, n int) [][]T {
	var out [][]T
	for len(s) > n {
		out = append(out, s[:n:n])
		s = s[n:]
	}
	if len(s) > 0 {
		out = append(out, s)
	}
	return out
}
