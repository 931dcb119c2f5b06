// Package migrations holds the versioned schema migrations, one folder per
// dialect. Both folders hold the same versions with the same names; a test
// applies both and compares the resulting schemas.
//
// A file is named NNNN_name.sql. Each file runs in one transaction.
package migrations

import "embed"

// FS holds postgres/*.sql and sqlite/*.sql.
//
//go:embed postgres/*.sql sqlite/*.sql
var FS embed.FS
