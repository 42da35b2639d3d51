// Package quota keeps a scanner inside API Gateway's control-plane quotas on the client side, so
// that throttling is rare rather than the flow control: every attempt of every call, retries
// included, first takes a token from the region's buckets.
package quota

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/smithy-go/middleware"
	"golang.org/x/time/rate"
)

// Limits are the request rates one scanner allows itself in one account and region.
type Limits struct {
	// Rate and Burst bound all API Gateway management calls (AWS: 10 per second, burst 40).
	Rate  float64
	Burst int
	// GetResourcesRate and GetResourcesBurst bound GetResources on top of that (AWS: 5 every
	// 2 seconds).
	GetResourcesRate  float64
	GetResourcesBurst int
}

// APIGatewayDefaults are API Gateway's published account quotas for REST API management calls.
func APIGatewayDefaults() Limits {
	return Limits{Rate: 10, Burst: 40, GetResourcesRate: 2.5, GetResourcesBurst: 5}
}

// Scaled multiplies the rates by factor and keeps the bursts: for emulators whose quotas are
// sped up by the same factor.
func (l Limits) Scaled(factor float64) Limits {
	l.Rate *= factor
	l.GetResourcesRate *= factor
	return l
}

// Validate reports a limit that cannot work. A zero rate means unlimited.
func (l Limits) Validate() error {
	switch {
	case l.Rate < 0 || l.GetResourcesRate < 0:
		return fmt.Errorf("quota rates must not be negative (rate %g, GetResources rate %g)", l.Rate, l.GetResourcesRate)
	case l.Rate > 0 && l.Burst < 1:
		return fmt.Errorf("quota burst must be at least 1 when the rate is %g", l.Rate)
	case l.GetResourcesRate > 0 && l.GetResourcesBurst < 1:
		return fmt.Errorf("GetResources burst must be at least 1 when its rate is %g", l.GetResourcesRate)
	}
	return nil
}

// Limiter holds one region's buckets; share one Limiter among every client of that region.
type Limiter struct {
	all          *rate.Limiter
	getResources *rate.Limiter
	// onHeld, when set, is told of every wait of at least minHeld.
	onHeld  func(operation string, waited time.Duration)
	minHeld time.Duration
}

// NewLimiter builds the buckets for l; they start full.
func NewLimiter(l Limits) *Limiter {
	return &Limiter{all: bucket(l.Rate, l.Burst), getResources: bucket(l.GetResourcesRate, l.GetResourcesBurst)}
}

func bucket(r float64, burst int) *rate.Limiter {
	if r <= 0 {
		return rate.NewLimiter(rate.Inf, 0)
	}
	return rate.NewLimiter(rate.Limit(r), burst)
}

// ObserveWaits makes the limiter call onHeld with every call it holds for min or more before
// letting it go; a wait that ends with its context is not a call held, and is not reported. The
// wait is measured around the buckets' own wait, so it is the time the call spent held. Call it
// before the limiter is used; a limiter that observes nothing does not read the clock.
func (l *Limiter) ObserveWaits(min time.Duration, onHeld func(operation string, waited time.Duration)) {
	l.onHeld, l.minHeld = onHeld, min
}

// Wait blocks until operation may be sent, or ctx ends.
func (l *Limiter) Wait(ctx context.Context, operation string) error {
	if l.onHeld == nil {
		return l.wait(ctx, operation)
	}
	start := time.Now()
	if err := l.wait(ctx, operation); err != nil {
		return err
	}
	if waited := time.Since(start); waited >= l.minHeld {
		l.onHeld(operation, waited)
	}
	return nil
}

func (l *Limiter) wait(ctx context.Context, operation string) error {
	if operation == "GetResources" {
		if err := l.getResources.Wait(ctx); err != nil {
			return err
		}
	}
	return l.all.Wait(ctx)
}

// APIOption returns an SDK client option (for Options.APIOptions) that makes every attempt of
// every call wait for the limiter. It sits after the retry middleware, so a retry pays too.
func (l *Limiter) APIOption() func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		return stack.Finalize.Add(middleware.FinalizeMiddlewareFunc("DriftAuditQuota",
			func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
				if err := l.Wait(ctx, middleware.GetOperationName(ctx)); err != nil {
					return middleware.FinalizeOutput{}, middleware.Metadata{}, fmt.Errorf("wait for API Gateway quota: %w", err)
				}
				return next.HandleFinalize(ctx, in)
			}), middleware.After)
	}
}
