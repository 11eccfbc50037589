package parley

import "context"

// ImportedComment is a comment brought in from another system, with the
// key that makes importing the same file twice a no-op.
type ImportedComment struct {
	Comment *Comment
	// Source is the system it came from ("disqus", "wordpress", …) and
	// SourceID its ID there; (site, Source, SourceID) is unique.
	Source   string
	SourceID string
	// SourceUserID is the author's ID or username in the source, kept for
	// administrators (it is never public).
	SourceUserID string
}

// TransferStore is persistence for imports and exports (package transfer,
// service.Import, service.Export). It is part of Store.
type TransferStore interface {
	// ImportedIDs returns the comment IDs that the given source IDs of a
	// site were imported as. IDs never imported are absent from the map.
	ImportedIDs(ctx context.Context, siteID, source string, sourceIDs []string) (map[string]string, error)
	// ImportComments inserts comments, each with its first revision and its
	// import key, many rows per statement. Call it inside InTx. ECONFLICT if
	// a comment ID or an import key already exists; ENOTFOUND if a site or
	// story does not.
	ImportComments(ctx context.Context, cs []ImportedComment) error
	// ExportComments returns a site's comments in every status, of one story
	// when storyID is not "", in ID order after afterID.
	ExportComments(ctx context.Context, siteID, storyID, afterID string, limit int) ([]*Comment, error)
}
