package audit_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"

	"github.com/apigw-drift/driftaudit/internal/awsemu"
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

func TestMain(m *testing.M) {
	flag.Parse()
	os.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	var err error
	moto, err = awsemu.StartMoto(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	moto.Close()
	os.Exit(code)
}

// account is a fresh emulated account behind its own shim.
type account struct {
	t     *testing.T
	ctx   context.Context
	shim  *awsemu.Shim
	cfg   aws.Config
	build *seed.Builder
}

func newAccount(t *testing.T, opts ...awsemu.Option) *account {
	t.Helper()
	ctx := context.Background()
	if err := moto.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	shim := awsemu.NewShim(moto.URL, opts...)
	t.Cleanup(shim.Close)
	cfg := awsemu.AWSConfig(shim.URL, region)
	return &account{t: t, ctx: ctx, shim: shim, cfg: cfg, build: seed.New(ctx, apigateway.NewFromConfig(cfg))}
}

// seeded fails the test if building the account failed, then forgets the building calls.
func (a *account) seeded() {
	a.t.Helper()
	if err := a.build.Err(); err != nil {
		a.t.Fatal(err)
	}
	a.shim.ResetLog()
}

// testConfig scans without client-side quotas: the emulator has none unless a test sets them.
func testConfig() audit.Config {
	c := audit.DefaultConfig()
	c.Regions = []string{region}
	c.Limits = quota.Limits{}
	return c
}

// audit scans the account and evaluates it, at a fixed time so that reports compare.
func (a *account) audit(c audit.Config) (*inventory.Inventory, *report.Report) {
	a.t.Helper()
	inv, err := audit.Scan(a.ctx, c, a.cfg)
	if err != nil {
		a.t.Fatalf("scan: %v", err)
	}
	return inv, audit.Evaluate(inv, c, time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC))
}

var timestamp = regexp.MustCompile(`\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(Z| UTC)`)

// normalize replaces the ids moto draws at random (resources, deployments, usage plans, keys)
// with names derived from what they are, and times with a marker, so golden files are stable.
func normalize(inv *inventory.Inventory, doc []byte) []byte {
	var pairs []string
	for _, r := range inv.Regions {
		for _, api := range r.APIs {
			for _, res := range api.Resources {
				pairs = append(pairs, res.ID, "<resource "+api.Name+" "+res.Path+">")
			}
			for i, d := range api.Deployments {
				pairs = append(pairs, d.ID, fmt.Sprintf("<deployment %s #%d>", api.Name, len(api.Deployments)-i))
			}
			for _, st := range api.Stages {
				if st.DeploymentID != "" && !strings.Contains(strings.Join(pairs, "\x00"), st.DeploymentID) {
					pairs = append(pairs, st.DeploymentID, "<deleted deployment of "+api.Name+" "+st.Name+">")
				}
			}
		}
		for _, p := range r.UsagePlans {
			pairs = append(pairs, p.ID, "<plan "+p.Name+">")
		}
		for _, k := range r.APIKeys {
			pairs = append(pairs, k.ID, "<key "+k.Name+">")
		}
	}
	// Longer ids first, so that no id is replaced inside another.
	type pair struct{ from, to string }
	var ps []pair
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i] != "" {
			ps = append(ps, pair{pairs[i], pairs[i+1]})
		}
	}
	sort.Slice(ps, func(i, j int) bool { return len(ps[i].from) > len(ps[j].from) })
	s := string(doc)
	for _, p := range ps {
		s = strings.ReplaceAll(s, p.from, p.to)
	}
	return timestamp.ReplaceAll([]byte(s), []byte("<time>"))
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./pkg/audit -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from this run; diff it with the file written to %s", path, writeActual(t, name, got))
	}
}

func writeActual(t *testing.T, name string, got []byte) string {
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, got, 0o644); err != nil {
		t.Fatal(err)
	}
	// Keep a copy where a person can find it after the test's temporary directory is gone.
	alt := filepath.Join(os.TempDir(), "driftaudit-"+name)
	_ = os.WriteFile(alt, got, 0o644)
	return alt
}

func reportJSON(t *testing.T, inv *inventory.Inventory, rep *report.Report) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := rep.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	return normalize(inv, buf.Bytes())
}
