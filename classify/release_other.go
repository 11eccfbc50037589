//go:build !linux

package classify

// releaseEmbedded does nothing outside Linux.
func releaseEmbedded([]byte) {}
