package parley

import (
	"context"
	"time"
)

// ReportResolution is what became of a reader's report.
type ReportResolution string

// Report resolutions. An open report counts in its comment's ReportCount
// and keeps the comment in the Reported queue.
const (
	ReportOpen      ReportResolution = ""          // not yet reviewed
	ReportDismissed ReportResolution = "dismissed" // a moderator kept the comment
	ReportUpheld    ReportResolution = "upheld"    // the comment was rejected or marked as spam
	ReportAbusive   ReportResolution = "abusive"   // the reporter was sanctioned for abuse of reporting
)

// SanctionNoReports takes away an author's right to report comments on a
// site, for abuse of reporting. It does not stop them commenting.
const SanctionNoReports SanctionKind = "no_reports"

// ReportReviewStore is the storage side of reviewing reader reports.
type ReportReviewStore interface {
	// GetReport returns one report. ENOTFOUND if there is none.
	GetReport(ctx context.Context, id string) (*Report, error)
	// ResolveReports resolves every open report of a comment and returns how
	// many it resolved.
	ResolveReports(ctx context.Context, commentID string, res ReportResolution, by string, at time.Time) (int, error)
	// ListOpenReportsBy returns a reporter's open reports on a site, oldest first.
	ListOpenReportsBy(ctx context.Context, siteID, reporterKey string) ([]*Report, error)
	// ResolveReport resolves one open report. ENOTFOUND if it is not open.
	ResolveReport(ctx context.Context, id string, res ReportResolution, by string, at time.Time) error
}
