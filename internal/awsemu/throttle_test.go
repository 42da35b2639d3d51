package awsemu

import (
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
)

func TestAWSQuotas(t *testing.T) {
	q := AWSQuotas(10)
	if q.Rate != 10 || q.Burst != 40 || q.GetResourcesRate != 2.5 || q.GetResourcesBurst != 5 || q.Scale != 10 {
		t.Errorf("AWSQuotas(10) = %+v", q)
	}
}

// TestThrottleSDKSeesTooManyRequests proves the 429 has AWS's shape: the SDK decodes it as the
// modelled exception and its retryer classes it as throttling.
func TestThrottleSDKSeesTooManyRequests(t *testing.T) {
	s, _ := setup(t)
	nr := apigw(s, region, noRetry)
	s.SetThrottle(Quotas{Rate: 0.5, Burst: 3})

	var ok, throttled int
	for range 6 {
		_, err := nr.GetRestApis(t.Context(), &apigateway.GetRestApisInput{})
		if err == nil {
			ok++
			continue
		}
		var tmr *types.TooManyRequestsException
		if !errors.As(err, &tmr) {
			t.Fatalf("err = %v (%T), want *types.TooManyRequestsException", err, err)
		}
		if tmr.ErrorMessage() != "Too Many Requests" {
			t.Errorf("message = %q", tmr.ErrorMessage())
		}
		var re *awshttp.ResponseError
		if !errors.As(err, &re) || re.HTTPStatusCode() != 429 {
			t.Errorf("status: %v", err)
		}
		if retry.IsErrorThrottles(retry.DefaultThrottles).IsErrorThrottle(err) != aws.TrueTernary {
			t.Errorf("the SDK's retryer does not class %v as throttling", err)
		}
		throttled++
	}
	if ok != 3 || throttled != 3 {
		t.Errorf("burst 3: %d passed, %d throttled", ok, throttled)
	}
	if s.Throttled() != throttled {
		t.Errorf("Throttled() = %d, want %d", s.Throttled(), throttled)
	}
	var injected int
	for _, r := range s.Requests() {
		if r.Status == 429 {
			injected++
			if !r.Injected {
				t.Errorf("429 not marked injected")
			}
		}
	}
	if injected != throttled {
		t.Errorf("log has %d 429s, want %d", injected, throttled)
	}
}

func TestThrottleRetryerGetsThrough(t *testing.T) {
	s, c := setup(t)
	s.SetThrottle(Quotas{Rate: 40, Burst: 1})
	for range 10 {
		_, err := c.GetRestApis(t.Context(), &apigateway.GetRestApisInput{})
		check(t, err)
	}
	if s.Throttled() == 0 {
		t.Errorf("no call was throttled: the test proves nothing")
	}
	if got := s.Counts()["GetRestApis"]; got != 10+s.Throttled() {
		t.Errorf("GetRestApis sent %d times, want 10 + %d retries", got, s.Throttled())
	}
}

// TestThrottleGetResourcesQuota: GetResources spends from its own bucket as well as the shared
// one; other operations and other regions are not held back by it, and non-apigateway services
// are never throttled.
func TestThrottleGetResourcesQuota(t *testing.T) {
	s, c := setup(t)
	nr := apigw(s, region, noRetry)
	apiID := newAPI(t, c, "limited")
	s.SetThrottle(Quotas{Rate: 1000, Burst: 1000, GetResourcesRate: 0.01, GetResourcesBurst: 2})

	var tmr *types.TooManyRequestsException
	for i := range 3 {
		_, err := nr.GetResources(t.Context(), &apigateway.GetResourcesInput{RestApiId: &apiID})
		if i < 2 {
			check(t, err)
		} else if !errors.As(err, &tmr) {
			t.Errorf("third GetResources: err = %v, want TooManyRequestsException", err)
		}
	}
	_, err := nr.GetRestApis(t.Context(), &apigateway.GetRestApisInput{})
	check(t, err)
	// Another region has buckets of its own: moto's NotFound, not a 429.
	_, err = apigw(s, "eu-west-1", noRetry).GetResources(t.Context(), &apigateway.GetResourcesInput{RestApiId: &apiID})
	var nf *types.NotFoundException
	if !errors.As(err, &nf) {
		t.Errorf("eu-west-1 GetResources: err = %v, want NotFoundException", err)
	}

	s.SetThrottle(Quotas{Rate: 0.001, Burst: 1})
	sc := sns.NewFromConfig(AWSConfig(s.URL, region), func(o *sns.Options) { o.Retryer = aws.NopRetryer{} })
	for range 3 {
		_, err := sc.ListTopics(t.Context(), &sns.ListTopicsInput{})
		check(t, err)
	}

	s.SetThrottle(Quotas{})
	for range 5 {
		_, err := nr.GetResources(t.Context(), &apigateway.GetResourcesInput{RestApiId: &apiID})
		check(t, err)
	}
}

// TestThrottleScale: at Scale 20 a one-per-second bucket refills in 50 ms.
func TestThrottleScale(t *testing.T) {
	s, _ := setup(t)
	nr := apigw(s, region, noRetry)
	s.SetThrottle(Quotas{Rate: 1, Burst: 1, Scale: 20})
	_, err := nr.GetRestApis(t.Context(), &apigateway.GetRestApisInput{})
	check(t, err)
	time.Sleep(80 * time.Millisecond)
	_, err = nr.GetRestApis(t.Context(), &apigateway.GetRestApisInput{})
	check(t, err)

	s.SetThrottle(Quotas{Rate: 1, Burst: 1})
	_, err = nr.GetRestApis(t.Context(), &apigateway.GetRestApisInput{})
	check(t, err)
	time.Sleep(80 * time.Millisecond)
	_, err = nr.GetRestApis(t.Context(), &apigateway.GetRestApisInput{})
	var tmr *types.TooManyRequestsException
	if !errors.As(err, &tmr) {
		t.Errorf("unscaled: err = %v, want TooManyRequestsException", err)
	}
}
