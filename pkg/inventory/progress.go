package inventory

import "time"

// Progress watches a scan while it runs, for a progress display. It only watches: nothing it
// does changes what is read or reported. Its methods are called from the scan's own goroutines,
// many at once (accounts and regions are read in parallel, and each region's reads fan out), so
// an implementation must be safe for concurrent use and return quickly. A nil Progress watches
// nothing and costs nothing: no hook is put in the clients and no clock is read.
//
// The events, and what they honestly count:
//   - Planned, once and first: how many accounts will be read, each in how many regions.
//   - RegionStarted, when a region's lists begin; RegionDone when its reading ended, read or
//     not. Every planned region ends with RegionDone, also the regions of an account that was
//     never started (its role could not be assumed, or the scan was cut short first), which
//     have no RegionStarted.
//   - APIsListed, once per started region, when its two lists of APIs (REST, and HTTP and
//     WebSocket) have ended, with how many APIs they hold; a list that failed adds none. The
//     total of APIs is therefore known region by region, as lists end.
//   - APIRead, when one listed API's reads have ended, each read either succeeded or recorded
//     as an error. An API whose reads never started, because the scan was cut short, is never
//     reported read.
//   - Call, for every request sent to API Gateway (v1 or v2): every attempt counts, retries
//     included, at the moment the quota limiter lets it go, so that the count is the number of
//     requests API Gateway received. STS and Organizations calls are not counted.
//   - Waited, for a wait that throttling imposed on a call; see WaitCause.
type Progress interface {
	Planned(accounts, regions int)
	RegionStarted(account, region string)
	APIsListed(account, region string, n int)
	APIRead(account, region string)
	RegionDone(account, region string)
	Call(account, region, operation string)
	Waited(account, region string, cause WaitCause, d time.Duration)
}

// WaitCause says why a call waited.
type WaitCause int

const (
	// WaitThrottled is API Gateway answering 429 Too Many Requests: the retryer waits d before
	// the next attempt (a Retry-After header, if the answer had one, may lengthen the sleep).
	// A throttled answer after which no attempt is left is an error, not a wait, and is not
	// reported.
	WaitThrottled WaitCause = iota + 1
	// WaitQuota is the client-side quota limiter holding a call for d before sending it. Only
	// waits of NoticeableWait or more are reported: at the quota's pace most calls wait a
	// fraction of a second for their turn, which is the limiter working, not a stall.
	WaitQuota
)

// NoticeableWait is the shortest quota wait a scan reports to its Progress.
const NoticeableWait = time.Second
