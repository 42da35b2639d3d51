package audit_test

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"

	"github.com/apigw-drift/driftaudit/internal/awsemu"
	"github.com/apigw-drift/driftaudit/internal/seed"
	"github.com/apigw-drift/driftaudit/pkg/audit"
	"github.com/apigw-drift/driftaudit/pkg/inventory"
	"github.com/apigw-drift/driftaudit/pkg/progress"
	"github.com/apigw-drift/driftaudit/pkg/quota"
	"github.com/apigw-drift/driftaudit/pkg/report"
)

// counter is an inventory.Progress that counts what it is told, by account and region, and
// notes every event that comes out of order: before Planned, for a region before it started
// (but RegionDone, which an account never started has alone), or after the region was done.
type counter struct {
	mu       sync.Mutex
	planned  []string
	started  map[string]int
	listed   map[string]int
	read     map[string]int
	done     map[string]int
	calls    map[string]int // "account region operation"
	waits    map[inventory.WaitCause][]time.Duration
	disorder []string
}

func newCounter() *counter {
	return &counter{started: map[string]int{}, listed: map[string]int{}, read: map[string]int{}, done: map[string]int{},
		calls: map[string]int{}, waits: map[inventory.WaitCause][]time.Duration{}}
}

func scope(account, region string) string { return account + " " + region }

// check notes an event for a region that is not started, or already done.
func (c *counter) check(event, account, region string) {
	k := scope(account, region)
	switch {
	case len(c.planned) == 0:
		c.disorder = append(c.disorder, event+" before Planned")
	case c.started[k] == 0:
		c.disorder = append(c.disorder, event+" of "+k+" before RegionStarted")
	case c.done[k] > 0:
		c.disorder = append(c.disorder, event+" of "+k+" after RegionDone")
	}
}

func (c *counter) Planned(accounts, regions int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.planned = append(c.planned, fmt.Sprintf("%d accounts x %d regions", accounts, regions))
}

func (c *counter) RegionStarted(account, region string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.planned) == 0 {
		c.disorder = append(c.disorder, "RegionStarted before Planned")
	}
	c.started[scope(account, region)]++
}

func (c *counter) APIsListed(account, region string, n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.check("APIsListed", account, region)
	c.listed[scope(account, region)] += n
}

func (c *counter) APIRead(account, region string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.check("APIRead", account, region)
	c.read[scope(account, region)]++
}

func (c *counter) RegionDone(account, region string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.planned) == 0 {
		c.disorder = append(c.disorder, "RegionDone before Planned")
	}
	c.done[scope(account, region)]++
}

func (c *counter) Call(account, region, operation string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.check("Call "+operation, account, region)
	c.calls[scope(account, region)+" "+operation]++
}

func (c *counter) Waited(account, region string, cause inventory.WaitCause, d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.check(fmt.Sprintf("Waited %d", cause), account, region)
	c.waits[cause] = append(c.waits[cause], d)
}

// shimCalls counts the API Gateway requests the shim received, as counter.calls keys them.
func shimCalls(a *account) map[string]int {
	out := map[string]int{}
	for _, r := range a.shim.Requests() {
		if r.Service == "apigateway" {
			out[scope(r.Account, r.Region)+" "+r.Operation]++
		}
	}
	return out
}

// apisIn counts the REST, HTTP and WebSocket APIs of each (account, region) of an inventory.
func apisIn(inv *inventory.Inventory) map[string]int {
	out := map[string]int{}
	for _, r := range inv.Regions {
		out[scope(r.Account, r.Name)] = len(r.APIs) + len(r.V2APIs)
	}
	return out
}

func nonZero(m map[string]int) map[string]int {
	out := maps.Clone(m)
	maps.DeleteFunc(out, func(_ string, n int) bool { return n == 0 })
	return out
}

func ones(keys ...string) map[string]int {
	out := map[string]int{}
	for _, k := range keys {
		out[k] = 1
	}
	return out
}

// assertProgress checks what c was told against the scan's inventory and report and the requests
// the shim received: one Planned, every region started (but those of the accounts in unread)
// and done once, each region's APIs listed and read as many as the inventory holds, and one Call
// per request API Gateway received, by account, region and operation.
func assertProgress(t *testing.T, a *account, c *counter, inv *inventory.Inventory, rep *report.Report, planned string, unread ...string) {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.disorder) > 0 {
		t.Errorf("events out of order: %q", c.disorder)
	}
	if !slices.Equal(c.planned, []string{planned}) {
		t.Errorf("planned %q, want %q once", c.planned, planned)
	}
	var all, read []string
	for _, r := range inv.Regions {
		all = append(all, scope(r.Account, r.Name))
		if !slices.Contains(unread, r.Account) {
			read = append(read, scope(r.Account, r.Name))
		}
	}
	if !maps.Equal(c.done, ones(all...)) {
		t.Errorf("regions done %v, want each of %q once", c.done, all)
	}
	if !maps.Equal(c.started, ones(read...)) {
		t.Errorf("regions started %v, want each of %q once", c.started, read)
	}
	apis := apisIn(inv)
	maps.DeleteFunc(apis, func(k string, n int) bool {
		return n == 0 || slices.ContainsFunc(unread, func(acct string) bool { return strings.HasPrefix(k, acct+" ") })
	})
	if !maps.Equal(nonZero(c.listed), apis) || !maps.Equal(c.read, apis) {
		t.Errorf("APIs listed %v and read %v, want the inventory's %v", c.listed, c.read, apis)
	}
	total := 0
	for _, n := range c.read {
		total += n
	}
	if total != rep.Summary.APIsScanned || total == 0 {
		t.Errorf("%d APIs read, the report scanned %d", total, rep.Summary.APIsScanned)
	}
	if want := shimCalls(a); !maps.Equal(c.calls, want) || len(want) == 0 {
		t.Errorf("calls told %v\nAPI Gateway received %v", c.calls, want)
	}
}

// seedProgress builds the mixed account in us-east-1, with an API without stages and an HTTP
// API, and one REST API in eu-west-1.
func seedProgress(a *account) {
	seedMixed(a)
	a.build.API("nostages", seed.APIOptions{ID: "nostage001"}).Method("/x", "GET", seed.Method{})
	carts := a.build.HTTPAPI("carts", seed.HTTPAPIOptions{})
	carts.Route("GET /carts", "").Stage("prod", false).Stage("live", true)
	carts.Deploy("prod")
	eu := seed.ForConfig(a.ctx, awsemu.AWSConfig(a.shim.URL, "eu-west-1"))
	eu.API("euro", seed.APIOptions{ID: "euro000001"}).Method("/e", "GET", seed.Method{})
	if err := eu.Err(); err != nil {
		a.t.Fatal(err)
	}
	a.seeded()
}

var auditTime = time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC)

// TestProgressCountsTheScan: a scan of one account in two regions tells its Progress exactly
// what it did (the regions, the APIs the inventory holds, every request API Gateway received),
// in order, and no throttling wait where there was none; and a Progress changes nothing: Scan
// and Audit give the same report, byte for byte, with one and without.
func TestProgressCountsTheScan(t *testing.T) {
	a := newAccount(t)
	seedProgress(a)
	plain := testConfig()
	plain.Regions = []string{region, "eu-west-1"}
	inv, rep := a.audit(plain)
	want := reportJSON(t, inv, rep)
	wantAudit, err := audit.Audit(a.ctx, plain, a.cfg, auditTime)
	if err != nil {
		t.Fatal(err)
	}

	watched, c := plain, newCounter()
	watched.Progress = c
	a.shim.ResetLog()
	inv2, rep2 := a.audit(watched)
	assertProgress(t, a, c, inv2, rep2, "1 accounts x 2 regions")
	if len(c.waits) > 0 {
		t.Errorf("throttling waits told without throttling: %v", c.waits)
	}
	if got := reportJSON(t, inv2, rep2); !bytes.Equal(got, want) {
		t.Errorf("Scan with a Progress gives another report:\n%s\n---\n%s", got, want)
	}

	c = newCounter()
	watched.Progress = c
	a.shim.ResetLog()
	gotAudit, err := audit.Audit(a.ctx, watched, a.cfg, auditTime)
	if err != nil {
		t.Fatal(err)
	}
	assertProgress(t, a, c, inv2, gotAudit, "1 accounts x 2 regions")
	if got, want := reportJSON(t, inv2, gotAudit), reportJSON(t, inv2, wantAudit); !bytes.Equal(got, want) {
		t.Errorf("Audit with a Progress gives another report:\n%s\n---\n%s", got, want)
	}
}

// TestProgressCountsAnOrganization: accounts read in parallel tell one Progress at once. An
// organization of five accounts in two regions, two accounts at a time, one of which cannot be
// read: all ten regions are done, the denied account's without ever starting, and the counts
// match what the other four accounts hold and received. The report is the one without Progress.
func TestProgressCountsAnOrganization(t *testing.T) {
	a, fx := newOrg(t)
	c := driftOnly()
	c.Regions, c.Organization, c.MaxAccountsInFlight = orgRegions, true, 2
	want, err := audit.Audit(a.ctx, c, a.cfg, auditTime)
	if err != nil {
		t.Fatal(err)
	}
	cnt := newCounter()
	c.Progress = cnt
	a.shim.ResetLog()
	inv, rep := a.audit(c)
	assertProgress(t, a, cnt, inv, rep, "5 accounts x 2 regions", fx.Denied)

	a.shim.ResetLog()
	cnt = newCounter()
	c.Progress = cnt
	got, err := audit.Audit(a.ctx, c, a.cfg, auditTime)
	if err != nil {
		t.Fatal(err)
	}
	assertProgress(t, a, cnt, inv, got, "5 accounts x 2 regions", fx.Denied)
	if g, w := reportJSON(t, inv, got), reportJSON(t, inv, want); !bytes.Equal(g, w) {
		t.Errorf("Audit of the organization with a Progress gives another report:\n%s\n---\n%s", g, w)
	}
}

// TestProgressCountsThrottlingWaits: behind an API Gateway that throttles hard, every 429 the
// scan retries is one WaitThrottled, with the retryer's backoff, and every request, retries
// included, one Call; the scan still reads everything.
func TestProgressCountsThrottlingWaits(t *testing.T) {
	a := newAccount(t)
	seedProgress(a)
	a.shim.SetThrottle(awsemu.Quotas{Rate: 30, Burst: 3, GetResourcesRate: 10, GetResourcesBurst: 1})
	c := testConfig()
	c.Regions = []string{region, "eu-west-1"}
	c.MaxAttempts = 30
	c.MaxBackoff = 200 * time.Millisecond
	cnt := newCounter()
	c.Progress = cnt
	inv, rep := a.audit(c)
	if !rep.Summary.Complete {
		t.Fatalf("the throttled scan is incomplete: %+v", rep.Errors)
	}
	assertProgress(t, a, cnt, inv, rep, "1 accounts x 2 regions")
	throttled := a.shim.Throttled()
	waits := cnt.waits[inventory.WaitThrottled]
	if throttled == 0 || len(waits) != throttled {
		t.Errorf("%d waits after a 429 told, the shim answered %d times 429 (it must throttle this scan)", len(waits), throttled)
	}
	for _, d := range waits {
		if d <= 0 || d > c.MaxBackoff {
			t.Errorf("a throttling wait of %s, want a backoff in (0, %s]", d, c.MaxBackoff)
		}
	}
	if len(cnt.waits[inventory.WaitQuota]) > 0 {
		t.Errorf("quota waits told without a client-side quota: %v", cnt.waits[inventory.WaitQuota])
	}
}

// TestProgressCountsQuotaWaits: the client-side quota, at one call every half second, holds
// the scan's calls; each one held a second or more is one WaitQuota of that length. The five
// region-wide lists start together, so at least the last two wait 1.5 s and 2 s.
func TestProgressCountsQuotaWaits(t *testing.T) {
	a := newAccount(t)
	a.build.API("one", seed.APIOptions{ID: "one0000001"}).Method("/x", "GET", seed.Method{})
	a.seeded()
	c := testConfig()
	c.Limits = quota.Limits{Rate: 2, Burst: 1}
	cnt := newCounter()
	c.Progress = cnt
	inv, rep := a.audit(c)
	assertProgress(t, a, cnt, inv, rep, "1 accounts x 1 regions")
	waits := cnt.waits[inventory.WaitQuota]
	if len(waits) < 2 || len(waits) > len(a.shim.Requests()) {
		t.Errorf("%d quota waits told of %d calls, want at least 2", len(waits), len(a.shim.Requests()))
	}
	for _, d := range waits {
		if d < inventory.NoticeableWait {
			t.Errorf("a quota wait of %s was told, under %s", d, inventory.NoticeableWait)
		}
	}
	if len(cnt.waits[inventory.WaitThrottled]) > 0 {
		t.Errorf("429 waits told without throttling: %v", cnt.waits[inventory.WaitThrottled])
	}
}

// TestProgressLastLineSaysWhatWasScanned: the renderer's plain lines, fed by a real scan, end
// with a line whose counts are the report's APIs and the requests API Gateway received.
func TestProgressLastLineSaysWhatWasScanned(t *testing.T) {
	a := newAccount(t)
	seedProgress(a)
	c := testConfig()
	c.Regions = []string{region, "eu-west-1"}
	var buf bytes.Buffer
	r := progress.New(&buf, progress.Options{Mode: progress.ModeAlways})
	c.Progress = r.Observer()
	rep, err := audit.Audit(a.ctx, c, a.cfg, auditTime)
	r.Stop()
	if err != nil {
		t.Fatal(err)
	}
	calls := 0
	for _, n := range a.shim.CountsFor("apigateway") {
		calls += n
	}
	want := fmt.Sprintf("scan ended: regions 2/2, APIs %d/%d, %d calls, 0 throttling waits, elapsed ", rep.Summary.APIsScanned, rep.Summary.APIsScanned, calls)
	if got := buf.String(); !strings.HasPrefix(got, want) || strings.Count(got, "\n") != 1 || rep.Summary.APIsScanned != 6 {
		t.Errorf("progress %q, want one line starting %q, of 6 APIs", got, want)
	}
}

// TestNoProgressNoHooks: without a Progress, a scan's clients carry the quota limiter and
// nothing more, so that watching nobody costs nothing per call; with one, one hook more.
func TestNoProgressNoHooks(t *testing.T) {
	cfg := awsemu.AWSConfig("http://127.0.0.1:1", region)
	c := testConfig()
	// hooks counts the middleware options of the v1 and v2 clients, and tells whether their
	// retryers are the SDK's own.
	hooks := func(c audit.Config) (rest, v2 int, sdkRetryers bool) {
		cl := audit.RegionClients(c, cfg, region)
		ro, vo := cl.REST.(*apigateway.Client).Options(), cl.V2.(*apigatewayv2.Client).Options()
		_, restSDK := ro.Retryer.(*retry.Standard)
		_, v2SDK := vo.Retryer.(*retry.Standard)
		return len(ro.APIOptions), len(vo.APIOptions), restSDK && v2SDK
	}
	rest, v2, sdk := hooks(c)
	if want := len(cfg.APIOptions) + 1; rest != want || v2 != want || !sdk {
		t.Errorf("without Progress: %d and %d client hooks, want the configuration's and the limiter: %d; the SDK's retryers: %t", rest, v2, want, sdk)
	}
	c.Progress = newCounter()
	if r, v, sdk := hooks(c); r != rest+1 || v != v2+1 || sdk {
		t.Errorf("with Progress: %d and %d client hooks, want one more than %d and %d; the SDK's retryers: %t, want them watched", r, v, rest, v2, sdk)
	}
}
