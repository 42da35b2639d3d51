package securityhub

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sh "github.com/aws/aws-sdk-go-v2/service/securityhub"
	"github.com/aws/aws-sdk-go-v2/service/securityhub/types"
	"github.com/aws/smithy-go"
	"golang.org/x/time/rate"
)

// BatchImportFindings' limits (Security Hub's guidelines for BatchImportFindings): 100 findings
// and 6 MB a call, 240 KB a finding, 10 calls a second per account and region with bursts of 30.
const (
	MaxBatchFindings = 100
	MaxBatchBytes    = 6 << 20
	MaxFindingBytes  = 240 << 10
	callsPerSecond   = 10
	callBurst        = 30
)

// BatchImportAPI is the Security Hub call that imports findings.
type BatchImportAPI interface {
	BatchImportFindings(ctx context.Context, in *sh.BatchImportFindingsInput, opts ...func(*sh.Options)) (*sh.BatchImportFindingsOutput, error)
}

var _ BatchImportAPI = (*sh.Client)(nil)

// Result says what an import did.
type Result struct {
	Findings int // findings given
	Imported int // findings Security Hub took
	Calls    int // BatchImportFindings calls made
	Retried  int // findings sent again after a retryable failure
}

// Failure is one finding Security Hub did not take, with its last error.
type Failure struct {
	ID, Code, Message string
}

// ImportError names every finding Security Hub did not take after the retries.
type ImportError struct {
	Failures []Failure
	Of       int // findings given
}

func (e *ImportError) Error() string {
	type group struct {
		code, message string
		ids           []string
	}
	var groups []*group
	byKey := map[string]*group{}
	for _, f := range e.Failures {
		key := f.Code + "\x00" + f.Message
		g := byKey[key]
		if g == nil {
			g = &group{code: f.Code, message: f.Message}
			byKey[key] = g
			groups = append(groups, g)
		}
		g.ids = append(g.ids, f.ID)
	}
	parts := make([]string, 0, len(groups))
	for _, g := range groups {
		parts = append(parts, fmt.Sprintf("%s (%s): %s", g.code, g.message, strings.Join(g.ids, ", ")))
	}
	return fmt.Sprintf("Security Hub did not import %d of %d findings: %s", len(e.Failures), e.Of, strings.Join(parts, "; "))
}

// ImportOption changes how Import retries.
type ImportOption func(*importer)

// WithRetries sets how many times what failed with a retryable code is sent again (3 by
// default), the first wait (1 s, then doubled each round, with jitter) and how to wait.
func WithRetries(rounds int, backoff time.Duration) ImportOption {
	return func(im *importer) { im.rounds, im.backoff = rounds, backoff }
}

type importer struct {
	client  BatchImportAPI
	rounds  int
	backoff time.Duration
	limiter *rate.Limiter
	res     Result
}

// Import sends the findings with BatchImportFindings, in batches of at most 100 findings and
// 6 MB, at most 10 calls a second. The findings Security Hub fails (FailedFindings, or a whole
// call that fails) with a retryable code (throttling, an internal error) are sent again, up to 3
// more rounds with backoff; what still fails, and a finding over 240 KB (never sent), is in the
// returned *ImportError, each finding by its Id with its error code. Nothing is dropped silently.
func Import(ctx context.Context, client BatchImportAPI, findings []types.AwsSecurityFinding, opts ...ImportOption) (Result, error) {
	im := &importer{client: client, rounds: 3, backoff: time.Second, limiter: rate.NewLimiter(callsPerSecond, callBurst)}
	for _, o := range opts {
		o(im)
	}
	im.res.Findings = len(findings)
	var failed []Failure
	var pending []sized
	for _, f := range findings {
		b, err := MarshalFinding(f)
		switch {
		case err != nil:
			failed = append(failed, Failure{ID: aws.ToString(f.Id), Code: "Unencodable", Message: err.Error()})
		case len(b) > MaxFindingBytes:
			failed = append(failed, Failure{ID: aws.ToString(f.Id), Code: "FindingTooLarge",
				Message: fmt.Sprintf("%d bytes of JSON, over the 240 KB Security Hub takes; not sent", len(b))})
		default:
			pending = append(pending, sized{f, len(b)})
		}
	}
	for round := 0; len(pending) > 0; round++ {
		if round > 0 {
			if err := im.wait(ctx, round); err != nil {
				for _, p := range pending {
					failed = append(failed, Failure{ID: aws.ToString(p.f.Id), Code: "NotRetried", Message: err.Error()})
				}
				break
			}
			im.res.Retried += len(pending)
		}
		var retry []sized
		for _, batch := range batches(pending) {
			again, lost := im.send(ctx, batch, round < im.rounds)
			retry, failed = append(retry, again...), append(failed, lost...)
		}
		pending = retry
	}
	if len(failed) == 0 {
		return im.res, nil
	}
	sort.SliceStable(failed, func(i, j int) bool { return failed[i].ID < failed[j].ID })
	return im.res, &ImportError{Failures: failed, Of: len(findings)}
}

// sized is a finding with the length of its JSON.
type sized struct {
	f    types.AwsSecurityFinding
	size int
}

// batches splits findings into BatchImportFindings calls: at most 100 findings and 6 MB of JSON
// each (the request's own few bytes counted), in order.
func batches(findings []sized) [][]sized {
	const overhead = len(`{"Findings":[]}`)
	var out [][]sized
	var cur []sized
	size := overhead
	for _, f := range findings {
		if len(cur) == MaxBatchFindings || (len(cur) > 0 && size+f.size+1 > MaxBatchBytes) {
			out, cur, size = append(out, cur), nil, overhead
		}
		cur = append(cur, f)
		size += f.size + 1
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// send makes one call. It returns the findings to send again (only when mayRetry) and those
// lost for good.
func (im *importer) send(ctx context.Context, batch []sized, mayRetry bool) (again []sized, lost []Failure) {
	fail := func(p sized, code, message string) {
		if mayRetry && Retryable(code) {
			again = append(again, p)
		} else {
			lost = append(lost, Failure{ID: aws.ToString(p.f.Id), Code: code, Message: message})
		}
	}
	if err := im.limiter.Wait(ctx); err != nil {
		for _, p := range batch {
			lost = append(lost, Failure{ID: aws.ToString(p.f.Id), Code: "NotSent", Message: err.Error()})
		}
		return nil, lost
	}
	in := &sh.BatchImportFindingsInput{Findings: make([]types.AwsSecurityFinding, len(batch))}
	for i, p := range batch {
		in.Findings[i] = p.f
	}
	im.res.Calls++
	out, err := im.client.BatchImportFindings(ctx, in)
	if err != nil {
		code, message := "RequestFailed", err.Error()
		var ae smithy.APIError
		if errors.As(err, &ae) {
			code, message = ae.ErrorCode(), ae.ErrorMessage()
		}
		for _, p := range batch {
			fail(p, code, message)
		}
		return again, lost
	}
	byID := map[string]types.ImportFindingsError{}
	for _, e := range out.FailedFindings {
		byID[aws.ToString(e.Id)] = e
	}
	named := 0
	for _, p := range batch {
		if e, ok := byID[aws.ToString(p.f.Id)]; ok {
			named++
			fail(p, aws.ToString(e.ErrorCode), aws.ToString(e.ErrorMessage))
		}
	}
	// A FailedCount above the failures named leaves the others' outcome unknown: they are sent
	// again (importing is idempotent), never counted as imported on a guess.
	count := int(aws.ToInt32(out.FailedCount))
	for _, p := range batch {
		switch _, ok := byID[aws.ToString(p.f.Id)]; {
		case ok:
		case count > named:
			fail(p, "Unconfirmed", fmt.Sprintf("Security Hub counted %d failed findings in the call but named %d", count, named))
		default:
			im.res.Imported++
		}
	}
	return again, lost
}

// Retryable says whether a failure may pass when sent again: throttling, limits and the
// service's own errors. A finding Security Hub calls invalid, or a call it denies, fails the
// same way every time.
func Retryable(code string) bool {
	c := strings.ToLower(code)
	for _, s := range []string{"throttl", "toomanyrequests", "limitexceeded", "internal", "unavailable", "timeout", "requestfailed", "unconfirmed"} {
		if strings.Contains(c, s) {
			return true
		}
	}
	return false
}

func (im *importer) wait(ctx context.Context, round int) error {
	d := im.backoff << (round - 1)
	d += time.Duration(rand.Int64N(int64(d)/2 + 1))
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
