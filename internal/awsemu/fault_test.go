package awsemu

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

func apiError(t *testing.T, err error) (code string, status int) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("err = %v (%T), want an API error", err, err)
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		status = re.HTTPStatusCode()
	}
	return ae.ErrorCode(), status
}

func TestFaultStatus(t *testing.T) {
	s, c := setup(t)
	nr := apigw(s, region, noRetry)
	ctx := t.Context()

	s.AddFault(Fault{Operation: "GetRestApis", Status: 403, ErrorType: "AccessDeniedException",
		Message: "User: arn:aws:iam::123456789012:user/x is not authorized to perform: apigateway:GET", Count: 1})
	_, err := nr.GetRestApis(ctx, &apigateway.GetRestApisInput{})
	if code, status := apiError(t, err); code != "AccessDeniedException" || status != 403 {
		t.Errorf("got %s/%d, want AccessDeniedException/403", code, status)
	}
	_, err = nr.GetRestApis(ctx, &apigateway.GetRestApisInput{})
	check(t, err) // Count 1: spent
	if s.Injected() != 1 {
		t.Errorf("Injected() = %d, want 1", s.Injected())
	}
	if reqs := s.Requests(); !reqs[0].Injected || reqs[0].Status != 403 || reqs[1].Injected {
		t.Errorf("log = %+v", reqs)
	}

	// APIID picks one API out of several.
	a1, a2 := newAPI(t, c, "one"), newAPI(t, c, "two")
	s.AddFault(Fault{Service: "apigateway", Operation: "GetResources", APIID: a1, Status: 404})
	var nf *types.NotFoundException
	_, err = nr.GetResources(ctx, &apigateway.GetResourcesInput{RestApiId: &a1})
	if !errors.As(err, &nf) {
		t.Errorf("GetResources(a1): err = %v, want NotFoundException", err)
	}
	_, err = nr.GetResources(ctx, &apigateway.GetResourcesInput{RestApiId: &a2})
	check(t, err)

	// A region or service that does not match leaves the call alone.
	s.ClearFaults()
	s.AddFault(Fault{Region: "eu-west-1", Status: 500})
	s.AddFault(Fault{Service: "sns", Status: 500})
	_, err = nr.GetRestApis(ctx, &apigateway.GetRestApisInput{})
	check(t, err)
	_, err = apigw(s, "eu-west-1", noRetry).GetRestApis(ctx, &apigateway.GetRestApisInput{})
	if code, status := apiError(t, err); code != "InternalFailure" || status != 500 {
		t.Errorf("got %s/%d, want InternalFailure/500", code, status)
	}
	s.ClearFaults()
	_, err = apigw(s, "eu-west-1", noRetry).GetRestApis(ctx, &apigateway.GetRestApisInput{})
	check(t, err)
}

// TestFaultStatusRetried: 5xx are transient to the SDK, so a limited fault is ridden out.
func TestFaultStatusRetried(t *testing.T) {
	s, c := setup(t)
	s.AddFault(Fault{Operation: "GetRestApis", Status: 503, Count: 2})
	_, err := c.GetRestApis(t.Context(), &apigateway.GetRestApisInput{})
	check(t, err)
	if got := s.Counts()["GetRestApis"]; got != 3 {
		t.Errorf("GetRestApis sent %d times, want 3", got)
	}
	s.AddFault(Fault{Operation: "GetRestApis", Status: 503})
	_, err = apigw(s, region, noRetry).GetRestApis(t.Context(), &apigateway.GetRestApisInput{})
	if code, status := apiError(t, err); code != "ServiceUnavailableException" || status != 503 {
		t.Errorf("got %s/%d", code, status)
	}
}

// TestFaultQueryProtocol: faults on a query-protocol service come as XML errors its SDK decodes.
func TestFaultQueryProtocol(t *testing.T) {
	s, _ := setup(t)
	s.AddFault(Fault{Service: "sns", Operation: "ListTopics", Status: 400, ErrorType: "AuthorizationError", Message: "no"})
	sc := sns.NewFromConfig(AWSConfig(s.URL, region), func(o *sns.Options) { o.Retryer = aws.NopRetryer{} })
	_, err := sc.ListTopics(t.Context(), &sns.ListTopicsInput{})
	if code, status := apiError(t, err); code != "AuthorizationError" || status != 400 {
		t.Errorf("got %s/%d", code, status)
	}
}

func TestFaultThrottle(t *testing.T) {
	s, _ := setup(t)
	s.AddFault(Fault{Operation: "GetRestApis", Kind: FaultThrottle, Count: 1})
	_, err := apigw(s, region, noRetry).GetRestApis(t.Context(), &apigateway.GetRestApisInput{})
	var tmr *types.TooManyRequestsException
	if !errors.As(err, &tmr) {
		t.Errorf("err = %v, want TooManyRequestsException", err)
	}
	if s.Throttled() != 1 || s.Injected() != 1 {
		t.Errorf("Throttled %d, Injected %d", s.Throttled(), s.Injected())
	}
}

func TestFaultReset(t *testing.T) {
	s, c := setup(t)
	s.AddFault(Fault{Operation: "GetRestApis", Kind: FaultReset})
	_, err := apigw(s, region, noRetry).GetRestApis(t.Context(), &apigateway.GetRestApisInput{})
	var se *smithyhttp.RequestSendError
	if !errors.As(err, &se) {
		t.Errorf("err = %v (%T), want a RequestSendError", err, err)
	}
	for _, r := range s.Requests() {
		if r.Status != 0 || !r.Injected {
			t.Errorf("reset logged as %+v", r)
		}
	}

	s.ClearFaults()
	s.AddFault(Fault{Operation: "GetRestApis", Kind: FaultReset, Count: 1})
	_, err = c.GetRestApis(t.Context(), &apigateway.GetRestApisInput{})
	check(t, err)
}

func TestFaultDelay(t *testing.T) {
	s, c := setup(t)
	const delay = 300 * time.Millisecond
	s.AddFault(Fault{Operation: "GetRestApis", Kind: FaultDelay, Delay: delay})
	start := time.Now()
	_, err := c.GetRestApis(t.Context(), &apigateway.GetRestApisInput{})
	check(t, err)
	if d := time.Since(start); d < delay {
		t.Errorf("call took %s, want at least %s", d, delay)
	}
	if r := s.Requests()[0]; r.Status != 200 || !r.Injected || r.Duration < delay {
		t.Errorf("logged %+v", r)
	}

	// The client's deadline cuts the delay short.
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	_, err = apigw(s, region, noRetry).GetRestApis(ctx, &apigateway.GetRestApisInput{})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want deadline exceeded", err)
	}
}

func TestFaultHang(t *testing.T) {
	s, _ := setup(t)
	s.AddFault(Fault{Operation: "GetRestApis", Kind: FaultHang})
	nr := apigw(s, region, noRetry)
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	_, err := nr.GetRestApis(ctx, &apigateway.GetRestApisInput{})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want deadline exceeded", err)
	}

	// Close lets go of a request that would hang forever.
	done := make(chan error, 1)
	go func() {
		_, err := nr.GetRestApis(context.Background(), &apigateway.GetRestApisInput{})
		done <- err
	}()
	for s.Injected() < 2 {
		time.Sleep(5 * time.Millisecond)
	}
	closed := make(chan struct{})
	go func() { s.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("Close waited on a hung request")
	}
	if err := <-done; err == nil {
		t.Error("hung request succeeded after Close")
	}
}

func TestFaultMalformed(t *testing.T) {
	s, c := setup(t)
	newAPI(t, c, "some-api")
	s.AddFault(Fault{Operation: "GetRestApis", Kind: FaultMalformed})
	_, err := apigw(s, region, noRetry).GetRestApis(t.Context(), &apigateway.GetRestApisInput{})
	var de *smithy.DeserializationError
	if !errors.As(err, &de) {
		t.Errorf("err = %v (%T), want a DeserializationError", err, err)
	}
	if r := s.Requests()[len(s.Requests())-1]; r.Status != 200 || !r.Injected {
		t.Errorf("logged %+v", r)
	}
}

// TestFaultProbability: a seeded shim fires the same faults on every run.
func TestFaultProbability(t *testing.T) {
	pattern := func(opts ...Option) []bool {
		s, _ := setup(t, opts...)
		s.AddFault(Fault{Operation: "GetRestApis", Status: 500, Probability: 0.3})
		nr := apigw(s, region, noRetry)
		var hits []bool
		for range 60 {
			_, err := nr.GetRestApis(t.Context(), &apigateway.GetRestApisInput{})
			hits = append(hits, err != nil)
		}
		if n := s.Injected(); n < 8 || n > 30 {
			t.Errorf("probability 0.3 fired %d times in 60", n)
		}
		return hits
	}
	a, b, other := pattern(), pattern(), pattern(WithSeed(42))
	if !slices.Equal(a, b) {
		t.Error("the default seed gave two different patterns")
	}
	if slices.Equal(a, other) {
		t.Error("another seed gave the same pattern")
	}

	// Count bounds a probabilistic fault too.
	s, _ := setup(t)
	s.AddFault(Fault{Operation: "GetRestApis", Status: 500, Probability: 0.5, Count: 3})
	nr := apigw(s, region, noRetry)
	for range 30 {
		_, _ = nr.GetRestApis(t.Context(), &apigateway.GetRestApisInput{})
	}
	if s.Injected() != 3 {
		t.Errorf("Count 3 fired %d times", s.Injected())
	}
}
