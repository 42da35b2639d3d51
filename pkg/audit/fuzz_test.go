package audit_test

import (
	"errors"
	"testing"
	"time"

	"github.com/apigw-drift/driftaudit/internal/awsemu"
	"github.com/apigw-drift/driftaudit/internal/seed"
	"github.com/apigw-drift/driftaudit/pkg/audit"
)

// partialReadFaults are the final failures a fuzz input picks from, per call: with one attempt
// a call, each leaves its scope unread.
var partialReadFaults = []awsemu.Fault{
	{Kind: awsemu.FaultStatus, Status: 403, ErrorType: "AccessDeniedException"},
	{Kind: awsemu.FaultStatus, Status: 500},
	{Kind: awsemu.FaultThrottle},
	{Kind: awsemu.FaultMalformed},
	{Kind: awsemu.FaultReset},
}

// FuzzPartialReads fails a random set of the demo account's API Gateway calls, each in a random
// way, and holds the scan to the invariant of TestCutAfterEveryCall: nothing invented, nothing
// lost without a scan error on its scope, incomplete whenever a fault fired. Byte i of the input
// decides call i: a value below len(partialReadFaults) fails it that way, any other lets it
// through.
func FuzzPartialReads(f *testing.F) {
	a := newAccount(f)
	if err := seed.Demo(a.build, time.Sleep); err != nil {
		f.Fatal(err)
	}
	a.seeded()
	c := testConfig()
	c.MaxAttempts = 1
	cleanInv, clean := a.audit(c)
	if !clean.Summary.Complete {
		f.Fatalf("the fault-free run is incomplete: %+v", clean.Errors)
	}
	f.Add([]byte{0})
	f.Add([]byte{9, 9, 9, 9, 1, 1, 1, 1})
	f.Add([]byte{9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 3, 9, 9, 2, 9, 9, 4, 9, 0})
	f.Add([]byte{2, 9, 3})
	f.Fuzz(func(t *testing.T, script []byte) {
		if len(script) > 64 {
			script = script[:64]
		}
		a.shim.ClearFaults()
		defer a.shim.ClearFaults()
		a.shim.ResetLog()
		for i, b := range script {
			if int(b) < len(partialReadFaults) {
				fault := partialReadFaults[b]
				fault.Service, fault.After, fault.Count = "apigateway", i, 1
				a.shim.AddFault(fault)
			}
		}
		got, err := audit.Audit(a.ctx, c, a.cfg, time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC))
		if err != nil && !errors.Is(err, audit.ErrNothingScanned) {
			t.Fatal(err)
		}
		assertNothingLost(t, cleanInv, clean, got)
		if a.shim.Injected() > 0 && got.Summary.Complete {
			t.Errorf("%d calls failed, yet the report says it is complete", a.shim.Injected())
		}
	})
}
