package report

import (
	"bytes"
	"fmt"
	"reflect"
	"runtime"
	"testing"
	"time"

	"github.com/apigw-drift/driftaudit/pkg/checks"
	"github.com/apigw-drift/driftaudit/pkg/inventory"
)

var at = time.Date(2026, 12, 2, 3, 0, 0, 0, time.UTC)

// item is the report of one (account, region) with n findings, as a scanner writes it.
func item(account, region string, n int, errs ...inventory.ScanError) *inventory.Inventory {
	reg := inventory.Region{Account: account, Name: region, APIs: []inventory.API{{ID: "a1", Name: "orders"}}, Errors: errs}
	return &inventory.Inventory{SchemaVersion: inventory.SchemaVersion, AccountID: account, Regions: []inventory.Region{reg}}
}

func findings(account, region string, n int) []checks.Finding {
	var fs []checks.Finding
	for i := range n {
		sev := []checks.Severity{checks.Critical, checks.Warning, checks.Info}[i%3]
		fs = append(fs, checks.Finding{Check: "access-logging-disabled", Severity: sev, AccountID: account, Region: region, APIID: "a1", APIName: "orders",
			Stage: fmt.Sprintf("stage%03d", i), Message: "stage has no access log destination: who called it, when and with what result is recorded nowhere",
			Remediation: "aws apigateway update-stage --rest-api-id a1 --stage-name stage --patch-operations '[{\"op\":\"replace\",\"path\":\"/accessLogSettings/destinationArn\",\"value\":\"arn\"}]' --region " + region})
	}
	return fs
}

func roundTrip(t testing.TB, r *Report) *Report {
	var buf bytes.Buffer
	if err := r.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	out, err := Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestMergeEqualsOneBuild: the item reports of an organization, each through JSON, merge into
// the report one audit of every account and region builds, with the missing item as an error
// of its account and region.
func TestMergeEqualsOneBuild(t *testing.T) {
	ran := checks.All()
	denied := inventory.ScanError{AccountID: "222222222222", Region: "us-east-1", Operation: inventory.OpAssumeRole, Message: "denied"}
	missing := inventory.ScanError{AccountID: "222222222222", Region: "eu-west-1", Operation: inventory.OpScan, Message: "no report"}
	var parts []*Report
	whole := &inventory.Inventory{}
	var all []checks.Finding
	for _, it := range []struct {
		account, region string
		n               int
		errs            []inventory.ScanError
	}{{"111111111111", "eu-west-1", 4, nil}, {"111111111111", "us-east-1", 2, nil}, {"222222222222", "us-east-1", 0, []inventory.ScanError{denied}}} {
		inv := item(it.account, it.region, it.n, it.errs...)
		fs := findings(it.account, it.region, it.n)
		parts = append(parts, roundTrip(t, Build(inv, ran, fs, at)))
		whole.Regions = append(whole.Regions, inv.Regions...)
		all = append(all, fs...)
	}
	whole.Regions = append(whole.Regions, inventory.Region{Account: "222222222222", Name: "eu-west-1", Errors: []inventory.ScanError{missing}})
	checks.Sort(all)
	want := Build(whole, ran, all, at)
	got := Merge(parts, []inventory.ScanError{missing}, at)
	// Merged reports keep no per-API counts (the item reports' JSON does not carry them).
	want.APIs, got.APIs = nil, nil
	if !reflect.DeepEqual(got.Summary, want.Summary) {
		t.Errorf("summary\n got %+v\nwant %+v", got.Summary, want.Summary)
	}
	if !reflect.DeepEqual(got.Findings, want.Findings) || !reflect.DeepEqual(got.Accounts, want.Accounts) || !reflect.DeepEqual(got.Regions, want.Regions) {
		t.Errorf("findings, accounts or regions differ: %v %v / %v %v", got.Accounts, got.Regions, want.Accounts, want.Regions)
	}
	if len(got.Errors) != 2 || got.Summary.Complete || got.Summary.ByAccount["222222222222"].Errors != 2 {
		t.Errorf("errors %+v", got.Errors)
	}
	if planFailed := Merge(nil, []inventory.ScanError{{Operation: inventory.OpPlan, Message: "the planner failed"}}, at); len(planFailed.Accounts) != 0 ||
		len(planFailed.Regions) != 0 || planFailed.Summary.AccountsScanned != 0 || planFailed.Summary.Complete {
		t.Errorf("a failed plan names accounts %v, regions %v", planFailed.Accounts, planFailed.Regions)
	}
}

// BenchmarkMergeOrganization measures what the join holds: item reports of 240 findings (the
// density make bench-org's organization has), decoded and merged, in bytes of heap per finding.
func BenchmarkMergeOrganization(b *testing.B) {
	const items, perItem = 200, 240
	docs := make([][]byte, items)
	for i := range docs {
		account := fmt.Sprintf("%012d", 100000000000+i)
		var buf bytes.Buffer
		if err := Build(item(account, "us-east-1", perItem), checks.All(), findings(account, "us-east-1", perItem), at).WriteJSON(&buf); err != nil {
			b.Fatal(err)
		}
		docs[i] = buf.Bytes()
	}
	var before, after runtime.MemStats
	for b.Loop() {
		runtime.GC()
		runtime.ReadMemStats(&before)
		parts := make([]*Report, items)
		for i, d := range docs {
			r, err := Decode(bytes.NewReader(d))
			if err != nil {
				b.Fatal(err)
			}
			parts[i] = r
		}
		merged := Merge(parts, nil, at)
		parts = nil
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/float64(items*perItem), "heap-bytes/finding")
		runtime.KeepAlive(merged)
	}
}
