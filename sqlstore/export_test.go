package sqlstore

// SetSQLiteInsertRows sets the rows per SQLite INSERT of multiInsert and
// returns the previous value (benchmarks compare them).
func SetSQLiteInsertRows(n int) int {
	prev := sqliteInsertRows
	sqliteInsertRows = n
	return prev
}
