// Package parley holds Parley's domain: sites (tenants), stories (articles),
// threaded comments under pre-moderation, users with per-site roles, the
// moderation audit log, and the interfaces that the storage, classifier,
// duplicate-detection and event packages implement.
//
// It imports nothing internal. Implementations live in one package per
// dependency (sqlstore, classify, dedupe, httpapi, ...) and are wired
// together in cmd/parley.
package parley
