package bench

import (
	"maps"
	"math"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/apigw-drift/driftaudit/internal/awsemu"
	"github.com/apigw-drift/driftaudit/pkg/quota"
)

// TestOrgSmoke runs make bench-org's whole path on a tiny organization (the management account
// and 2 members, 2 regions, 2 APIs in each) at AWS's own quotas, so that it cannot rot: every
// scope's calls are those of its shape, every account is read (members through their role),
// and the floor is computed per account. It asserts no timing.
func TestOrgSmoke(t *testing.T) {
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	ctx := t.Context()
	bin := filepath.Join(t.TempDir(), "driftaudit")
	if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/driftaudit").CombinedOutput(); err != nil {
		t.Fatalf("build driftaudit: %v\n%s", err, out)
	}
	_, shim, closeEmulator, err := awsemu.StartWithShim(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer closeEmulator()

	regions := []string{"eu-west-1", "us-east-1"}
	org, err := SeedOrganization(ctx, awsemu.AWSConfig(shim.URL, regions[0]), OrgSpec{Members: 2, Regions: regions, APIs: 2, MaxResources: 5, Workers: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(org.Accounts) != 3 || !slices.Contains(org.Accounts, awsemu.DefaultAccount) || len(org.Shapes) != 6 || org.APIs() != 12 {
		t.Fatalf("seeded accounts %v, %d scopes, %d APIs; want 3 accounts with the management account, 6 scopes, 12 APIs", org.Accounts, len(org.Shapes), org.APIs())
	}
	res, err := ScanOrg(ctx, bin, shim, org, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + res.Report() + OrgTableHeader + res.TableRow())

	if msg := CheckOrgCalls(res); msg != "" {
		t.Error(msg)
	}
	want := 0
	for s, shape := range org.Shapes {
		if got := res.Scopes[s]["GetStages"]; got != 2 {
			t.Errorf("%s %s: %d GetStages, want one for each of its 2 APIs", s.Account, s.Region, got)
		}
		for _, n := range shape.ExpectedCalls() {
			want += n
		}
	}
	if res.Total != want || res.Throttled != 0 || res.Failed != 0 {
		t.Errorf("%d API Gateway calls (%d throttled, %d failed), want %d = %.2f per API", res.Total, res.Throttled, res.Failed, want, float64(want)/12)
	}
	if other := map[string]int{"organizations:ListAccounts": 1, "sts:GetCallerIdentity": 1, "sts:AssumeRole": 2}; !maps.Equal(res.Other, other) {
		t.Errorf("other calls %v, want %v (the management account read with its own credentials)", res.Other, other)
	}
	if res.APIs != 12 || res.AccountsScanned != 3 || !slices.Equal(res.ReportAccounts, org.Accounts) || res.Errors != 0 || res.PeakRSS <= 0 {
		t.Errorf("report: %d APIs, %d accounts %v, %d errors; peak RSS %d", res.APIs, res.AccountsScanned, res.ReportAccounts, res.Errors, res.PeakRSS)
	}

	// Two APIs fit in the bursts of AWS's quotas: no floor. Under one call a second with a
	// burst of one, each scope of c calls takes c-1 seconds; the scopes are alike, so each
	// account takes T = c-1, and 3 accounts on 2 slots take max(T, 3T/2).
	if res.Floor.Floor != 0 || res.Ratio() != 0 {
		t.Errorf("floor %s, ratio %g at AWS's quotas, want none", res.Floor.Floor, res.Ratio())
	}
	calls := want / len(org.Shapes)
	T := time.Duration(calls-1) * time.Second
	if f := OrgFloor(res.Scopes, quota.Limits{Rate: 1, Burst: 1}, 2); f.Longest != T || f.Sum != 3*T || f.Floor != 3*T/2 || f.Slots != 2 {
		t.Errorf("floor at 1 call/s %+v, want longest %s, sum %s, floor %s", f, T, 3*T, 3*T/2)
	}
	if s, c := res.SlowestScope(quota.APIGatewayDefaults()); s.Account == "" || !maps.Equal(c, nonZero(org.Shapes[s].ExpectedCalls())) {
		t.Errorf("slowest scope %v with calls %v", s, c)
	}
}

func TestFloorOf(t *testing.T) {
	s := time.Second
	for _, tc := range []struct {
		name                string
		jobs                []time.Duration
		slots               int
		longest, sum, floor time.Duration
	}{
		{"nothing", nil, 8, 0, 0, 0},
		{"alike, more jobs than slots", []time.Duration{4 * s, 4 * s, 4 * s}, 2, 4 * s, 12 * s, 6 * s},
		{"one long job", []time.Duration{10 * s, s, s}, 2, 10 * s, 12 * s, 10 * s},
		{"one slot", []time.Duration{2 * s, 2 * s, 2 * s, 2 * s}, 1, 2 * s, 8 * s, 8 * s},
		{"more slots than jobs", []time.Duration{3 * s, 5 * s}, 40, 5 * s, 8 * s, 5 * s},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := FloorOf(tc.jobs, tc.slots)
			if f.Longest != tc.longest || f.Sum != tc.sum || f.Floor != tc.floor {
				t.Errorf("FloorOf(%v, %d) = %+v, want longest %s, sum %s, floor %s", tc.jobs, tc.slots, f, tc.longest, tc.sum, tc.floor)
			}
		})
	}
}

// TestOrgFloor: an account takes as long as its slowest region (they run in parallel), and the
// accounts share the slots.
func TestOrgFloor(t *testing.T) {
	calls := map[Scope]map[string]int{
		{"111111111111", "eu-west-1"}: {"GetStages": 50},                     // (50-40)/10 = 1 s
		{"111111111111", "us-east-1"}: {"GetStages": 140},                    // (140-40)/10 = 10 s
		{"222222222222", "eu-west-1"}: {"GetResources": 15},                  // (15-5)/2.5 = 4 s
		{"333333333333", "us-east-1"}: {"GetRestApis": 1},                    // within the burst: 0 s
		{"444444444444", "us-east-1"}: {"GetResources": 10, "GetStages": 50}, // max(2 s, 2 s)
	}
	for _, tc := range []struct {
		slots int
		want  float64
	}{
		{1, 16}, // 10 + 4 + 0 + 2, one after another
		{2, 10}, // max(10, 16/2)
		{8, 10},
	} {
		f := OrgFloor(calls, quota.APIGatewayDefaults(), tc.slots)
		if f.Floor.Seconds() != tc.want || f.Longest != 10*time.Second || f.Sum != 16*time.Second {
			t.Errorf("%d slots: %+v, want floor %gs, longest 10s, sum 16s", tc.slots, f, tc.want)
		}
	}
}

// TestProjection pins the projection's arithmetic on a round example.
func TestProjection(t *testing.T) {
	p := Projection{Accounts: 1000, Regions: 4, Concurrency: 100, MemoryMB: 256, Ratio: 1.25,
		ItemCalls: map[string]int{"GetResources": 20, "GetStages": 79}}
	n := p.Night()
	near := func(got, want float64) bool { return math.Abs(got-want) < 1e-9 }
	switch {
	case n.Items != 4000:
		t.Errorf("items %d", n.Items)
	case n.ItemBound != 6*time.Second || n.ItemTime != 7500*time.Millisecond: // GetResources (20-5)/2.5 beats (99-40)/10
		t.Errorf("item bound %s, time %s; want 6s and 7.5s", n.ItemBound, n.ItemTime)
	case n.Wall != 300*time.Second: // 4,000 x 7.5 s / 100
		t.Errorf("night %s, want 5m", n.Wall)
	case !near(n.GBSeconds, 7500) || !near(n.Lambda, 7500*0.0000133334):
		t.Errorf("%g GB-s, $%g", n.GBSeconds, n.Lambda)
	case n.Invocations != 4002 || n.Transitions != 12006:
		t.Errorf("%d invocations, %d transitions", n.Invocations, n.Transitions)
	case n.S3Puts != 4004 || n.S3List != 4 || n.S3Gets != 4002 || !near(n.S3, 4008*0.005/1000+4002*0.0004/1000):
		t.Errorf("S3: %d PUT, %d LIST, %d GET, $%g", n.S3Puts, n.S3List, n.S3Gets, n.S3)
	case OrgMetrics() != 30 || n.MetricRequests != 1 || n.MetricRequestsPerAccount != 6: // 30 datums; 30 + 5,000
		t.Errorf("PutMetricData: %d, %d with per-account metrics", n.MetricRequests, n.MetricRequestsPerAccount)
	case !near(n.Total(), n.Lambda+4002*0.20/1e6+12006*0.025/1000+n.S3+0.01/1000):
		t.Errorf("total $%g", n.Total())
	}
}
