package parley

import "context"

// StoryStore holds story writes that must hold under concurrency.
type StoryStore interface {
	// EnsureStory stores s unless its site already has a story with s.URL,
	// and returns the stored story: s itself, or the one that was there.
	// Concurrent calls for one URL, on one instance or several, all
	// succeed and all return the same story.
	EnsureStory(ctx context.Context, s *Story) (*Story, error)
}
