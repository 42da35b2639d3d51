package audit_test

import (
	"bytes"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/apigw-drift/driftaudit/internal/awsemu"
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
	a := demoAccount(f)
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
	// Found by the fuzzer: a 403 on a domain's GetApiMappings, near the scan's end, once read
	// the domain with v1 and said the scan was complete; a lone reset mid-scan, which Go's
	// transport may send again on its own.
	f.Add(append(bytes.Repeat([]byte{9}, 34), 0))
	f.Add(append(bytes.Repeat([]byte{9}, 20), 4))
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
		if !got.Summary.Complete {
			return
		}
		if failed := failedCalls(a.shim.Requests()); len(failed) > 0 {
			t.Errorf("%d calls failed (%s first), yet the report says it is complete", len(failed), failed[0])
		}
		if len(got.Findings) != len(clean.Findings) {
			t.Errorf("a complete report with %d findings, the fault-free run has %d", len(got.Findings), len(clean.Findings))
		}
	})
}

// failedCalls names the calls whose fault reached the client. A reset is the one fault a client
// can get past on its own: Go's HTTP transport sends a GET again, once, when a connection it
// reused closes before answering (so would every Go client against AWS), and when that second
// request is answered the call succeeded after all.
func failedCalls(log []awsemu.Request) []string {
	var failed []string
	for i, r := range log {
		if !r.Injected {
			continue
		}
		resent := r.Status == 0 && slices.ContainsFunc(log[i+1:], func(l awsemu.Request) bool {
			return !l.Injected && l.Method == r.Method && l.Path == r.Path && l.RawQuery == r.RawQuery && l.Account == r.Account && l.Region == r.Region
		})
		if !resent {
			failed = append(failed, r.Operation+" "+r.Path)
		}
	}
	return failed
}
