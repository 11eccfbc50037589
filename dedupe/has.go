package dedupe

// Has reports whether the comment is indexed. Texts too short to cluster
// are never indexed, so Has is false for them.
func (ix *Index) Has(commentID string) bool {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	_, ok := ix.byID[commentID]
	return ok
}
