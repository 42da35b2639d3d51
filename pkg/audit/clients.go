package audit

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/middleware"

	"github.com/apigw-drift/driftaudit/pkg/accounts"
	"github.com/apigw-drift/driftaudit/pkg/inventory"
	"github.com/apigw-drift/driftaudit/pkg/quota"
)

// RegionClients are the API Gateway clients one region of cfg's account is read with, exactly as
// a scan reads it: c's retryer and attempt timeout, and one quota limiter that v1 and v2 share
// (API Gateway's control-plane quota is per account and region, whichever API is called). With
// c.Progress set, their calls and waits are reported to it, naming no account.
func RegionClients(c Config, cfg aws.Config, region string) inventory.Clients {
	return regionClients(c, cfg, "", region, awshttp.NewBuildableClient().WithTimeout(c.AttemptTimeout))
}

func regionClients(c Config, cfg aws.Config, account, region string, httpClient *awshttp.BuildableClient) inventory.Clients {
	limiter := quota.NewLimiter(c.Limits)
	apiOptions := []func(*middleware.Stack) error{limiter.APIOption()}
	retryer := c.retryer
	if p := c.Progress; p != nil {
		limiter.ObserveWaits(inventory.NoticeableWait, func(_ string, waited time.Duration) {
			p.Waited(account, region, inventory.WaitQuota, waited)
		})
		// After the limiter's middleware: a call is counted when it leaves, not while it waits.
		apiOptions = append(apiOptions, countCalls(p, account, region))
		retryer = func() aws.Retryer {
			return throttleWatcher{RetryerV2: c.retryer().(aws.RetryerV2), onWait: func(d time.Duration) {
				p.Waited(account, region, inventory.WaitThrottled, d)
			}}
		}
	}
	rest := apigateway.NewFromConfig(cfg, func(o *apigateway.Options) {
		o.Region = region
		o.APIOptions = append(o.APIOptions, apiOptions...)
		o.Retryer, o.HTTPClient = retryer(), httpClient
	})
	return inventory.Clients{
		REST: rest,
		V2: apigatewayv2.NewFromConfig(cfg, func(o *apigatewayv2.Options) {
			o.Region = region
			o.APIOptions = append(o.APIOptions, apiOptions...)
			o.Retryer, o.HTTPClient = retryer(), httpClient
		}),
		Authorizers: rest,
	}
}

// countCalls reports every attempt of every call a client sends to p. It goes at the end of the
// finalize step, after the retry, signing and quota middlewares, so each attempt passes it once,
// just before it is sent.
func countCalls(p inventory.Progress, account, region string) func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		return stack.Finalize.Add(middleware.FinalizeMiddlewareFunc("DriftAuditProgress",
			func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
				p.Call(account, region, middleware.GetOperationName(ctx))
				return next.HandleFinalize(ctx, in)
			}), middleware.After)
	}
}

// throttleWatcher is the scan's retryer, telling onWait of each backoff it chooses after a
// throttling answer. The retry middleware asks for a delay only when it is about to retry, so
// a throttled last attempt, which fails the call, is not reported.
type throttleWatcher struct {
	aws.RetryerV2
	onWait func(time.Duration)
}

var throttles = retry.IsErrorThrottles(retry.DefaultThrottles)

func (w throttleWatcher) RetryDelay(attempt int, opErr error) (time.Duration, error) {
	d, err := w.RetryerV2.RetryDelay(attempt, opErr)
	if err == nil && throttles.IsErrorThrottle(opErr) == aws.TrueTernary {
		w.onWait(d)
	}
	return d, err
}

// CallerAccount names the account cfg's credentials are in (sts:GetCallerIdentity, which needs no
// permission), with c's retries and attempt timeout.
func CallerAccount(ctx context.Context, c Config, cfg aws.Config) (string, error) {
	client := sts.NewFromConfig(cfg, func(o *sts.Options) {
		o.Retryer, o.HTTPClient = c.retryer(), awshttp.NewBuildableClient().WithTimeout(c.AttemptTimeout)
	})
	caller, err := accounts.WhoAmI(ctx, client)
	return caller.Account, err
}
