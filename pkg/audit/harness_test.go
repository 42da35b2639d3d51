package audit_test

import (
	"bytes"
	"context"
	"flag"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/apigw-drift/driftaudit/internal/awsemu"
	goldenfile "github.com/apigw-drift/driftaudit/internal/golden"
	"github.com/apigw-drift/driftaudit/internal/seed"
	"github.com/apigw-drift/driftaudit/pkg/audit"
	"github.com/apigw-drift/driftaudit/pkg/inventory"
	"github.com/apigw-drift/driftaudit/pkg/quota"
	"github.com/apigw-drift/driftaudit/pkg/report"
)

var update = flag.Bool("update", false, "rewrite the golden files from this run")

const region = "us-east-1"

// moto is shared by the package's tests, which run one after another and reset it in between.
var moto *awsemu.Moto

func TestMain(m *testing.M) { os.Exit(awsemu.RunWithMoto(m, &moto, nil)) }

// account is a fresh emulated account behind its own shim.
type account struct {
	t     testing.TB
	ctx   context.Context
	shim  *awsemu.Shim
	cfg   aws.Config
	build *seed.Builder
}

func newAccount(t testing.TB, opts ...awsemu.Option) *account {
	t.Helper()
	ctx := context.Background()
	shim := awsemu.FreshShim(t, moto, opts...)
	cfg := awsemu.AWSConfig(shim.URL, region)
	return &account{t: t, ctx: ctx, shim: shim, cfg: cfg, build: seed.ForConfig(ctx, cfg)}
}

// seeded fails the test if building the account failed, then forgets the building calls.
func (a *account) seeded() {
	a.t.Helper()
	if err := a.build.Err(); err != nil {
		a.t.Fatal(err)
	}
	a.shim.ResetLog()
}

// demoAccount is a new account seeded with the demo (seed.Demo: every kind of drift and a
// healthy API), its log emptied.
func demoAccount(t testing.TB, opts ...awsemu.Option) *account {
	t.Helper()
	a := newAccount(t, opts...)
	if err := seed.Demo(a.build, time.Sleep); err != nil {
		t.Fatal(err)
	}
	a.seeded()
	return a
}

// testConfig scans without client-side quotas: the emulator has none unless a test sets them.
func testConfig() audit.Config {
	c := audit.DefaultConfig()
	c.Regions = []string{region}
	c.Limits = quota.Limits{}
	c.MaxBackoff = 100 * time.Millisecond
	return c
}

// audit scans the account and evaluates it, at a fixed time so that reports compare.
func (a *account) audit(c audit.Config) (*inventory.Inventory, *report.Report) {
	a.t.Helper()
	inv, err := audit.Scan(a.ctx, c, a.cfg)
	if err != nil {
		a.t.Fatalf("scan: %v", err)
	}
	rep, err := audit.Evaluate(inv, c, time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC))
	if err != nil {
		a.t.Fatal(err)
	}
	return inv, rep
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	goldenfile.Compare(t, name, got, *update)
}

func reportJSON(t *testing.T, inv *inventory.Inventory, rep *report.Report) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := rep.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	return goldenfile.Normalize(inv, buf.Bytes())
}
