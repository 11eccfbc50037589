package sqlstore_test

import (
	"testing"

	"github.com/parley-comments/parley/sqlstore/sqltest"
	"github.com/parley-comments/parley/sqlstore/storetest"
)

func TestSQLiteConformance(t *testing.T) { storetest.Run(t, sqltest.OpenSQLite) }

func TestPostgresConformance(t *testing.T) { storetest.Run(t, sqltest.OpenPostgres) }
