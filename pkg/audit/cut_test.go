package audit_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/apigw-drift/driftaudit/internal/awsemu"
	"github.com/apigw-drift/driftaudit/internal/seed"
	"github.com/apigw-drift/driftaudit/pkg/audit"
)

// TestCutAfterEveryCall cuts the collection after its k-th API Gateway call, for every k from 0
// to the number of calls an uncut scan makes, as a deadline or a cancellation does: call k+1
// hangs and the scan's context ends. Whatever was read by then, the report may only hold
// findings of the uncut run (same place, same severity), every finding it lacks or says
// differently is explained by a scan error on its scope, and it says it is incomplete.
func TestCutAfterEveryCall(t *testing.T) {
	for _, tc := range []struct {
		name    string
		regions []string
	}{
		{name: "demo account", regions: []string{region}},
		{name: "demo account in two regions", regions: []string{region, "eu-west-1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := newAccount(t)
			for _, r := range tc.regions {
				b := seed.ForConfig(a.ctx, awsemu.AWSConfig(a.shim.URL, r))
				if err := seed.Demo(b, time.Sleep); err != nil {
					t.Fatal(err)
				}
			}
			a.seeded()
			c := testConfig()
			c.Regions = tc.regions
			cleanInv, clean := a.audit(c)
			calls := 0
			for _, n := range a.shim.CountsFor("apigateway") {
				calls += n
			}
			if !clean.Summary.Complete || len(clean.Findings) == 0 || calls < 30*len(tc.regions) {
				t.Fatalf("the uncut scan: complete=%t, %d findings, %d calls", clean.Summary.Complete, len(clean.Findings), calls)
			}
			for k := 0; k <= calls; k++ {
				ctx, cancel := context.WithCancel(a.ctx)
				a.shim.ClearFaults()
				a.shim.AddFault(awsemu.Fault{Service: "apigateway", Kind: awsemu.FaultHang, After: k, OnFire: sync.OnceFunc(cancel)})
				got, err := audit.Audit(ctx, c, a.cfg, time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC))
				cancel()
				if err != nil && !errors.Is(err, audit.ErrNothingScanned) {
					t.Fatalf("cut after %d calls: %v", k, err)
				}
				assertNothingLost(t, cleanInv, clean, got)
				if k < calls && got.Summary.Complete {
					t.Errorf("cut after %d of %d calls, the report says it is complete", k, calls)
				}
				if k == calls && (!got.Summary.Complete || len(got.Findings) != len(clean.Findings)) {
					t.Errorf("not cut at all (%d calls): complete=%t, %d findings of %d", k, got.Summary.Complete, len(got.Findings), len(clean.Findings))
				}
				if t.Failed() {
					t.Fatalf("cut after %d of %d calls: %d findings of %d, errors %+v", k, calls, len(got.Findings), len(clean.Findings), got.Errors)
				}
			}
			t.Logf("%d cuts, each a subset of the uncut run's %d findings", calls+1, len(clean.Findings))
		})
	}
}

// TestOneFaultAtEveryCall fails the k-th API Gateway call of the demo scan, for every k, with a
// denial and with an answer that cannot be decoded (with one attempt a call, each is final),
// and holds each run to TestCutAfterEveryCall's invariant. The scan goes on past the failure,
// so this reaches what a cut cannot: a fallback after a denial (v2 GetApiMappings denied once
// left its run looking complete), and every read after the one that failed.
func TestOneFaultAtEveryCall(t *testing.T) {
	a := demoAccount(t)
	c := testConfig()
	c.MaxAttempts = 1
	cleanInv, clean := a.audit(c)
	calls := 0
	for _, n := range a.shim.CountsFor("apigateway") {
		calls += n
	}
	if !clean.Summary.Complete || calls < 30 {
		t.Fatalf("the fault-free scan: complete=%t, %d calls", clean.Summary.Complete, calls)
	}
	for _, fault := range []awsemu.Fault{partialReadFaults[0], partialReadFaults[3]} {
		for k := 0; k < calls; k++ {
			a.shim.ClearFaults()
			a.shim.ResetLog()
			fault.Service, fault.After, fault.Count = "apigateway", k, 1
			a.shim.AddFault(fault)
			got, err := audit.Audit(a.ctx, c, a.cfg, time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC))
			if err != nil && !errors.Is(err, audit.ErrNothingScanned) {
				t.Fatalf("fault %d at call %d: %v", fault.Kind, k, err)
			}
			assertNothingLost(t, cleanInv, clean, got)
			if failed := failedCalls(a.shim.Requests()); len(failed) != 1 || got.Summary.Complete {
				t.Errorf("calls failed: %q; want one, and an incomplete report (complete=%t)", failed, got.Summary.Complete)
			}
			if t.Failed() {
				t.Fatalf("fault %d at call %d of %d: %d findings of %d, errors %+v", fault.Kind, k, calls, len(got.Findings), len(clean.Findings), got.Errors)
			}
		}
	}
	t.Logf("%d calls, each denied and each malformed in turn: every run incomplete, each a subset of the fault-free run's %d findings", calls, len(clean.Findings))
}
