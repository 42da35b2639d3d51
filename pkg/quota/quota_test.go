package quota

import (
	"context"
	"io"
	"math"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/smithy-go/middleware"
	"golang.org/x/time/rate"
)

// The tests count tokens rather than time: speed is measured in benchmarks, not asserted in
// timed tests. slow refills one token every 1,000 s, so that no bucket refills while a test
// runs, and every Wait is given a deadline far shorter than that: a Wait that would have to
// wait for a refill then fails at once (x/time/rate refuses a wait longer than the deadline)
// instead of passing, and one that has a token passes at once.
const slow = 0.001

func shortDeadline(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// waits calls Wait n times for op and returns how many passed.
func waits(t *testing.T, l *Limiter, op string, n int) int {
	t.Helper()
	ctx := shortDeadline(t)
	passed := 0
	for range n {
		if l.Wait(ctx, op) == nil {
			passed++
		}
	}
	return passed
}

func assertTokens(t *testing.T, name string, b *rate.Limiter, want float64) {
	t.Helper()
	if got := b.Tokens(); math.Abs(got-want) > 0.01 {
		t.Errorf("%s bucket holds %.3f tokens, want %g", name, got, want)
	}
}

func TestNewLimiterFollowsLimits(t *testing.T) {
	for _, tc := range []struct {
		name              string
		limits            Limits
		all, getResources rate.Limit
		allBurst, grBurst int
	}{
		{"API Gateway's quotas", APIGatewayDefaults(), 10, 2.5, 40, 5},
		{"other figures", Limits{Rate: 3, Burst: 7, GetResourcesRate: 0.5, GetResourcesBurst: 2}, 3, 0.5, 7, 2},
		{"zero rates are unlimited", Limits{}, rate.Inf, rate.Inf, 0, 0},
		{"zero GetResources rate only", Limits{Rate: 3, Burst: 7}, 3, rate.Inf, 7, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := NewLimiter(tc.limits)
			if l.all.Limit() != tc.all || l.all.Burst() != tc.allBurst {
				t.Errorf("general bucket: %g/s burst %d, want %g/s burst %d", l.all.Limit(), l.all.Burst(), tc.all, tc.allBurst)
			}
			if l.getResources.Limit() != tc.getResources || l.getResources.Burst() != tc.grBurst {
				t.Errorf("GetResources bucket: %g/s burst %d, want %g/s burst %d",
					l.getResources.Limit(), l.getResources.Burst(), tc.getResources, tc.grBurst)
			}
		})
	}
}

// TestPaceBeyondTheBurst: calls beyond the burst are spaced at the rate, so N calls made at once
// are all let through after (N-burst)/rate. The buckets are asked at one fixed instant, so the
// figures are exact.
func TestPaceBeyondTheBurst(t *testing.T) {
	defaults := APIGatewayDefaults()
	for _, tc := range []struct {
		name   string
		bucket func(*Limiter) *rate.Limiter
		calls  int
		want   time.Duration
	}{
		{"general, within the burst", func(l *Limiter) *rate.Limiter { return l.all }, 40, 0},
		{"general, one over", func(l *Limiter) *rate.Limiter { return l.all }, 41, 100 * time.Millisecond},
		{"general, 100 calls", func(l *Limiter) *rate.Limiter { return l.all }, 100, 6 * time.Second},
		{"GetResources, within the burst", func(l *Limiter) *rate.Limiter { return l.getResources }, 5, 0},
		{"GetResources, 15 calls", func(l *Limiter) *rate.Limiter { return l.getResources }, 15, 4 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := tc.bucket(NewLimiter(defaults))
			now := time.Now()
			var last time.Duration
			for range tc.calls {
				last = b.ReserveN(now, 1).DelayFrom(now)
			}
			if d := last - tc.want; d < -time.Millisecond || d > time.Millisecond {
				t.Errorf("call %d may go after %v, want %v", tc.calls, last, tc.want)
			}
		})
	}
}

func TestBurstThenNoMore(t *testing.T) {
	l := NewLimiter(Limits{Rate: slow, Burst: 3})
	if got := waits(t, l, "GetStages", 3); got != 3 {
		t.Fatalf("%d of the burst of 3 passed", got)
	}
	assertTokens(t, "general", l.all, 0)
	if err := l.Wait(shortDeadline(t), "GetStages"); err == nil {
		t.Errorf("a fourth call passed a burst of 3 with no refill")
	}
}

func TestGetResourcesDrawsFromBothBuckets(t *testing.T) {
	t.Run("its own bucket binds", func(t *testing.T) {
		l := NewLimiter(Limits{Rate: slow, Burst: 10, GetResourcesRate: slow, GetResourcesBurst: 2})
		if got := waits(t, l, "GetResources", 3); got != 2 {
			t.Errorf("%d GetResources passed, want its burst of 2", got)
		}
		assertTokens(t, "GetResources", l.getResources, 0)
		assertTokens(t, "general", l.all, 8)
		if got := waits(t, l, "GetStages", 1); got != 1 {
			t.Errorf("GetStages held back by the GetResources bucket")
		}
	})
	t.Run("the general bucket binds", func(t *testing.T) {
		l := NewLimiter(Limits{Rate: slow, Burst: 2, GetResourcesRate: slow, GetResourcesBurst: 10})
		if got := waits(t, l, "GetResources", 3); got != 2 {
			t.Errorf("%d GetResources passed, want the general burst of 2", got)
		}
		assertTokens(t, "general", l.all, 0)
	})
	t.Run("other operations leave it alone", func(t *testing.T) {
		l := NewLimiter(Limits{Rate: slow, Burst: 10, GetResourcesRate: slow, GetResourcesBurst: 2})
		for _, op := range []string{"GetRestApis", "GetStages", "GetDeployment", "GetResource"} {
			if got := waits(t, l, op, 1); got != 1 {
				t.Errorf("%s did not pass", op)
			}
		}
		assertTokens(t, "GetResources", l.getResources, 2)
		assertTokens(t, "general", l.all, 6)
	})
}

func TestZeroRateIsUnlimited(t *testing.T) {
	const many = 10_000
	t.Run("both", func(t *testing.T) {
		l := NewLimiter(Limits{})
		for _, op := range []string{"GetResources", "GetStages"} {
			if got := waits(t, l, op, many); got != many {
				t.Errorf("%s: %d of %d passed", op, got, many)
			}
		}
	})
	t.Run("general only", func(t *testing.T) {
		l := NewLimiter(Limits{GetResourcesRate: slow, GetResourcesBurst: 1})
		if got := waits(t, l, "GetStages", many); got != many {
			t.Errorf("GetStages: %d of %d passed", got, many)
		}
		if got := waits(t, l, "GetResources", 2); got != 1 {
			t.Errorf("GetResources: %d passed, want its burst of 1", got)
		}
	})
	t.Run("GetResources only", func(t *testing.T) {
		l := NewLimiter(Limits{Rate: slow, Burst: 3})
		if got := waits(t, l, "GetResources", 4); got != 3 {
			t.Errorf("GetResources: %d passed, want the general burst of 3", got)
		}
	})
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name    string
		mutate  func(*Limits)
		wantErr string // "" for valid
	}{
		{"API Gateway's quotas", func(*Limits) {}, ""},
		{"all unlimited", func(l *Limits) { *l = Limits{} }, ""},
		{"unlimited needs no burst", func(l *Limits) { l.Rate, l.Burst, l.GetResourcesRate, l.GetResourcesBurst = 0, 0, 0, 0 }, ""},
		{"fractional rate", func(l *Limits) { l.GetResourcesRate = 0.5 }, ""},
		{"negative rate", func(l *Limits) { l.Rate = -1 }, "must not be negative"},
		{"negative GetResources rate", func(l *Limits) { l.GetResourcesRate = -0.5 }, "must not be negative"},
		{"rate without burst", func(l *Limits) { l.Burst = 0 }, "quota burst must be at least 1"},
		{"rate with negative burst", func(l *Limits) { l.Burst = -2 }, "quota burst must be at least 1"},
		{"GetResources rate without burst", func(l *Limits) { l.GetResourcesBurst = 0 }, "GetResources burst must be at least 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := APIGatewayDefaults()
			tc.mutate(&l)
			err := l.Validate()
			switch {
			case tc.wantErr == "" && err != nil:
				t.Errorf("Validate() = %v, want nil", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Errorf("Validate() = %v, want an error containing %q", err, tc.wantErr)
			}
		})
	}
}

func TestScaled(t *testing.T) {
	defaults := APIGatewayDefaults()
	if got, want := defaults.Scaled(100), (Limits{Rate: 1000, Burst: 40, GetResourcesRate: 250, GetResourcesBurst: 5}); got != want {
		t.Errorf("Scaled(100) = %+v, want %+v", got, want)
	}
	if got, want := defaults.Scaled(0.5), (Limits{Rate: 5, Burst: 40, GetResourcesRate: 1.25, GetResourcesBurst: 5}); got != want {
		t.Errorf("Scaled(0.5) = %+v, want %+v", got, want)
	}
	if defaults != APIGatewayDefaults() {
		t.Errorf("Scaled changed its receiver: %+v", defaults)
	}
}

// throttlingHTTP answers API Gateway's 429 TooManyRequestsException to the first throttle
// requests and an empty list after that, and counts what it was sent. Nothing leaves the
// process.
type throttlingHTTP struct {
	throttle int
	mu       sync.Mutex
	sent     int
}

func (h *throttlingHTTP) Do(req *http.Request) (*http.Response, error) {
	h.mu.Lock()
	h.sent++
	n := h.sent
	h.mu.Unlock()
	resp := &http.Response{Request: req, Header: http.Header{"Content-Type": {"application/json"}}, StatusCode: http.StatusOK,
		Body: io.NopCloser(strings.NewReader(`{"item":[]}`))}
	if n <= h.throttle {
		resp.StatusCode = http.StatusTooManyRequests
		resp.Header.Set("X-Amzn-Errortype", "TooManyRequestsException")
		resp.Body = io.NopCloser(strings.NewReader(`{"message":"Too Many Requests"}`))
	}
	return resp, nil
}

func (h *throttlingHTTP) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.sent
}

// TestAPIOptionWaitsOnEveryAttempt puts the limiter on a real SDK client whose transport
// throttles the first three attempts: every attempt, retries included, takes a token, and an
// attempt that cannot have one is not sent. A limiter placed before the retry loop would take
// one token per call and let all four attempts through.
func TestAPIOptionWaitsOnEveryAttempt(t *testing.T) {
	for _, tc := range []struct {
		name            string
		op              string
		burst           int
		wantSent        int
		wantFailure     bool
		wantAll, wantGR float64 // tokens left in the general and GetResources buckets
	}{
		{"room for every attempt", "GetRestApis", 10, 4, false, 6, 10},
		{"GetResources attempts draw from both buckets", "GetResources", 10, 4, false, 6, 6},
		{"the fourth attempt finds no token", "GetRestApis", 3, 3, true, 0, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			limiter := NewLimiter(Limits{Rate: slow, Burst: tc.burst, GetResourcesRate: slow, GetResourcesBurst: tc.burst})
			transport := &throttlingHTTP{throttle: 3}
			client := apigateway.New(apigateway.Options{
				Region:       "us-east-1",
				BaseEndpoint: aws.String("http://apigateway.quota.invalid"),
				Credentials:  aws.AnonymousCredentials{},
				HTTPClient:   transport,
				Retryer: retry.NewStandard(func(o *retry.StandardOptions) {
					o.MaxAttempts = 5
					o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
					o.RateLimiter = ratelimit.None
				}),
				APIOptions: []func(*middleware.Stack) error{limiter.APIOption()},
			})
			ctx := shortDeadline(t)
			var err error
			switch tc.op {
			case "GetRestApis":
				_, err = client.GetRestApis(ctx, &apigateway.GetRestApisInput{})
			case "GetResources":
				_, err = client.GetResources(ctx, &apigateway.GetResourcesInput{RestApiId: aws.String("a1")})
			}
			if tc.wantFailure {
				if err == nil || !strings.Contains(err.Error(), "wait for API Gateway quota") {
					t.Errorf("err = %v, want the quota wait to fail", err)
				}
			} else if err != nil {
				t.Errorf("err = %v, want success on the fourth attempt", err)
			}
			if got := transport.count(); got != tc.wantSent {
				t.Errorf("%d attempts sent, want %d", got, tc.wantSent)
			}
			assertTokens(t, "general", limiter.all, tc.wantAll)
			assertTokens(t, "GetResources", limiter.getResources, tc.wantGR)
		})
	}
}

// TestObserveWaitsReportsCallsHeld: a call the buckets let go at once is not reported, one held
// for its turn is, with the time it was held, and one whose context ends first is not a call held.
// The bucket refills one token every 200 ms, so the second call is held about that long, far
// above the 100 ms threshold, and the first one far below it.
func TestObserveWaitsReportsCallsHeld(t *testing.T) {
	l := NewLimiter(Limits{Rate: 5, Burst: 1})
	type held struct {
		op     string
		waited time.Duration
	}
	var got []held
	l.ObserveWaits(100*time.Millisecond, func(op string, waited time.Duration) { got = append(got, held{op, waited}) })
	ctx := t.Context()
	if err := l.Wait(ctx, "GetStages"); err != nil {
		t.Fatal(err)
	}
	if len(got) != 0 {
		t.Fatalf("a call with a token at hand was reported held: %+v", got)
	}
	if err := l.Wait(ctx, "GetRestApis"); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].op != "GetRestApis" || got[0].waited < 150*time.Millisecond {
		t.Fatalf("held calls %+v, want one GetRestApis held about 200ms", got)
	}
	short, cancel := context.WithTimeout(ctx, 10*time.Millisecond)
	defer cancel()
	if err := l.Wait(short, "GetStages"); err == nil {
		t.Fatal("a wait longer than its deadline passed")
	}
	if len(got) != 1 {
		t.Errorf("a wait cut short by its context was reported: %+v", got)
	}
}
