package securityhub_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sh "github.com/aws/aws-sdk-go-v2/service/securityhub"
	"github.com/aws/aws-sdk-go-v2/service/securityhub/types"
	"github.com/aws/smithy-go"

	"github.com/apigw-drift/driftaudit/pkg/securityhub"
)

// fakeHub records every BatchImportFindings call and answers each with what answer decides:
// the findings to fail (id to error code), or an error for the whole call.
type fakeHub struct {
	mu     sync.Mutex
	calls  [][]string // the ids of each call
	bytes  []int      // the JSON size of each call's findings
	answer func(call int, ids []string) (failed map[string]string, err error)
	// failedCount, when set, overrides the FailedCount of the answer.
	failedCount func(call int) int32
}

func (f *fakeHub) BatchImportFindings(_ context.Context, in *sh.BatchImportFindingsInput, _ ...func(*sh.Options)) (*sh.BatchImportFindingsOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var ids []string
	size := 0
	for _, x := range in.Findings {
		ids = append(ids, aws.ToString(x.Id))
		b, _ := securityhub.MarshalFinding(x)
		size += len(b)
	}
	call := len(f.calls)
	f.calls, f.bytes = append(f.calls, ids), append(f.bytes, size)
	out := &sh.BatchImportFindingsOutput{}
	if f.answer != nil {
		failed, err := f.answer(call, ids)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			if code, ok := failed[id]; ok {
				out.FailedFindings = append(out.FailedFindings, types.ImportFindingsError{Id: aws.String(id), ErrorCode: aws.String(code), ErrorMessage: aws.String(code + " for " + id)})
			}
		}
	}
	out.FailedCount = aws.Int32(int32(len(out.FailedFindings)))
	if f.failedCount != nil {
		out.FailedCount = aws.Int32(f.failedCount(call))
	}
	out.SuccessCount = aws.Int32(int32(len(ids) - len(out.FailedFindings)))
	return out, nil
}

// asff makes n findings with ids f000, f001, ...; pad adds that many bytes of ProductFields to each.
func asff(n, pad int) []types.AwsSecurityFinding {
	out := make([]types.AwsSecurityFinding, n)
	for i := range out {
		out[i] = types.AwsSecurityFinding{Id: aws.String(fmt.Sprintf("f%03d", i)), SchemaVersion: aws.String("2018-10-08"), Title: aws.String("t")}
		if pad > 0 {
			out[i].ProductFields = map[string]string{}
			for k, left := 0, pad; left > 0; k++ {
				n := min(left, 2000)
				out[i].ProductFields[fmt.Sprintf("driftaudit/pad%02d", k)] = strings.Repeat("x", n)
				left -= n
			}
		}
	}
	return out
}

var fast = securityhub.WithRetries(3, time.Millisecond)

// TestImportBatchesOfAHundred: 250 findings are three calls, of 100, 100 and 50, in order.
func TestImportBatchesOfAHundred(t *testing.T) {
	hub := &fakeHub{}
	res, err := securityhub.Import(context.Background(), hub, asff(250, 0), fast)
	if err != nil {
		t.Fatal(err)
	}
	if len(hub.calls) != 3 || len(hub.calls[0]) != 100 || len(hub.calls[1]) != 100 || len(hub.calls[2]) != 50 || hub.calls[2][49] != "f249" {
		t.Errorf("calls of %v findings", lens(hub.calls))
	}
	if res != (securityhub.Result{Findings: 250, Imported: 250, Calls: 3}) {
		t.Errorf("result %+v", res)
	}
}

// TestImportBatchesBySize: findings of 100 KB make calls of at most 6 MB, fewer than 100 each;
// a finding over 240 KB is never sent and is named in the error.
func TestImportBatchesBySize(t *testing.T) {
	hub := &fakeHub{}
	fs := asff(130, 100<<10)
	big := asff(1, 250<<10)[0]
	big.Id = aws.String("too-big")
	res, err := securityhub.Import(context.Background(), hub, append(fs, big), fast)
	if len(hub.calls) != 3 {
		t.Errorf("%d calls of %v findings, want 3", len(hub.calls), lens(hub.calls))
	}
	for i, b := range hub.bytes {
		if b > securityhub.MaxBatchBytes || len(hub.calls[i]) >= 100 {
			t.Errorf("call %d: %d findings, %d bytes", i, len(hub.calls[i]), b)
		}
	}
	var ie *securityhub.ImportError
	if !errors.As(err, &ie) || len(ie.Failures) != 1 || ie.Failures[0].ID != "too-big" || ie.Failures[0].Code != "FindingTooLarge" {
		t.Fatalf("error %v", err)
	}
	if res.Imported != 130 || res.Findings != 131 {
		t.Errorf("result %+v", res)
	}
	for _, call := range hub.calls {
		for _, id := range call {
			if id == "too-big" {
				t.Error("the finding over 240 KB was sent")
			}
		}
	}
}

// TestImportPartialFailures: findings Security Hub calls invalid are not sent again; the error
// names each with its code, and the others count as imported.
func TestImportPartialFailures(t *testing.T) {
	hub := &fakeHub{answer: func(_ int, ids []string) (map[string]string, error) {
		return map[string]string{"f003": "InvalidInput", "f117": "InvalidInput"}, nil
	}}
	res, err := securityhub.Import(context.Background(), hub, asff(150, 0), fast)
	var ie *securityhub.ImportError
	if !errors.As(err, &ie) {
		t.Fatalf("error %v", err)
	}
	if len(ie.Failures) != 2 || ie.Failures[0] != (securityhub.Failure{ID: "f003", Code: "InvalidInput", Message: "InvalidInput for f003"}) || ie.Failures[1].ID != "f117" {
		t.Errorf("failures %+v", ie.Failures)
	}
	if msg := err.Error(); !strings.Contains(msg, "did not import 2 of 150 findings") || !strings.Contains(msg, "InvalidInput (InvalidInput for f003): f003") {
		t.Errorf("message %q", msg)
	}
	if len(hub.calls) != 2 || res.Imported != 148 || res.Retried != 0 {
		t.Errorf("%d calls, result %+v", len(hub.calls), res)
	}
}

// TestImportRetriesWhatMayPass: findings failed with a retryable code are sent again, alone,
// until they pass.
func TestImportRetriesWhatMayPass(t *testing.T) {
	hub := &fakeHub{answer: func(call int, ids []string) (map[string]string, error) {
		switch call {
		case 0:
			return map[string]string{"f001": "InternalError", "f002": "ThrottlingException", "f004": "InvalidInput"}, nil
		case 1:
			return map[string]string{"f002": "LimitExceededException"}, nil
		}
		return nil, nil
	}}
	res, err := securityhub.Import(context.Background(), hub, asff(5, 0), fast)
	var ie *securityhub.ImportError
	if !errors.As(err, &ie) || len(ie.Failures) != 1 || ie.Failures[0].ID != "f004" {
		t.Fatalf("error %v: want only f004, which is invalid", err)
	}
	if len(hub.calls) != 3 || strings.Join(hub.calls[1], ",") != "f001,f002" || strings.Join(hub.calls[2], ",") != "f002" {
		t.Errorf("calls %v", hub.calls)
	}
	if res != (securityhub.Result{Findings: 5, Imported: 4, Calls: 3, Retried: 3}) {
		t.Errorf("result %+v", res)
	}
}

// TestImportGivesUpAfterThreeRetries: a finding throttled every time is sent four times in all,
// then named in the error with its last code.
func TestImportGivesUpAfterThreeRetries(t *testing.T) {
	hub := &fakeHub{answer: func(_ int, ids []string) (map[string]string, error) {
		return map[string]string{"f000": "ThrottlingException"}, nil
	}}
	_, err := securityhub.Import(context.Background(), hub, asff(2, 0), fast)
	var ie *securityhub.ImportError
	if !errors.As(err, &ie) || len(ie.Failures) != 1 || ie.Failures[0].ID != "f000" || ie.Failures[0].Code != "ThrottlingException" {
		t.Fatalf("error %v", err)
	}
	if len(hub.calls) != 4 {
		t.Errorf("%d calls, want 4 (one and three retries)", len(hub.calls))
	}
}

// TestImportWholeCallFails: a call that fails as a whole fails each of its findings with the
// error's code; a denied call is not retried, a throttled one is.
func TestImportWholeCallFails(t *testing.T) {
	denied := &fakeHub{answer: func(int, []string) (map[string]string, error) {
		return nil, &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "not authorized to perform securityhub:BatchImportFindings"}
	}}
	_, err := securityhub.Import(context.Background(), denied, asff(120, 0), fast)
	var ie *securityhub.ImportError
	if !errors.As(err, &ie) || len(ie.Failures) != 120 || ie.Failures[0].Code != "AccessDeniedException" || !strings.Contains(ie.Failures[0].Message, "not authorized") {
		t.Fatalf("error %v", err)
	}
	if len(denied.calls) != 2 {
		t.Errorf("%d calls, want 2 (one a batch, none again)", len(denied.calls))
	}

	throttled := &fakeHub{answer: func(call int, _ []string) (map[string]string, error) {
		if call == 0 {
			return nil, &smithy.GenericAPIError{Code: "TooManyRequestsException"}
		}
		return nil, nil
	}}
	if res, err := securityhub.Import(context.Background(), throttled, asff(3, 0), fast); err != nil || res.Imported != 3 || len(throttled.calls) != 2 {
		t.Errorf("throttled call: %v, %+v, %d calls", err, res, len(throttled.calls))
	}
}

// TestImportUnconfirmed: a FailedCount above the failures the answer names leaves the others
// unconfirmed: they are sent again, and never counted as imported on a guess.
func TestImportUnconfirmed(t *testing.T) {
	hub := &fakeHub{failedCount: func(call int) int32 { return 1 }}
	res, err := securityhub.Import(context.Background(), hub, asff(2, 0), fast)
	var ie *securityhub.ImportError
	if !errors.As(err, &ie) || len(ie.Failures) != 2 || ie.Failures[0].Code != "Unconfirmed" {
		t.Fatalf("error %v", err)
	}
	if res.Imported != 0 || len(hub.calls) != 4 {
		t.Errorf("result %+v, %d calls", res, len(hub.calls))
	}
}

// TestImportStopsWithItsContext: a context that ends during the backoff leaves what was to be
// sent again named in the error, not lost.
func TestImportStopsWithItsContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	hub := &fakeHub{answer: func(int, []string) (map[string]string, error) {
		cancel()
		return map[string]string{"f001": "InternalError"}, nil
	}}
	res, err := securityhub.Import(ctx, hub, asff(3, 0), securityhub.WithRetries(3, time.Hour))
	var ie *securityhub.ImportError
	if !errors.As(err, &ie) || len(ie.Failures) != 1 || ie.Failures[0].ID != "f001" || ie.Failures[0].Code != "NotRetried" {
		t.Fatalf("error %v", err)
	}
	if res.Imported != 2 || len(hub.calls) != 1 {
		t.Errorf("result %+v, %d calls", res, len(hub.calls))
	}
}

func TestRetryable(t *testing.T) {
	for code, want := range map[string]bool{
		"InternalError": true, "InternalException": true, "ThrottlingException": true, "TooManyRequestsException": true,
		"LimitExceededException": true, "ServiceUnavailable": true, "RequestFailed": true,
		"InvalidInput": false, "InvalidInputException": false, "AccessDeniedException": false, "InvalidAccessException": false, "": false,
	} {
		if got := securityhub.Retryable(code); got != want {
			t.Errorf("Retryable(%q) = %t", code, got)
		}
	}
}

func lens(calls [][]string) []int {
	var out []int
	for _, c := range calls {
		out = append(out, len(c))
	}
	return out
}
