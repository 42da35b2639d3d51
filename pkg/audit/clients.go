package audit

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/apigw-drift/driftaudit/pkg/accounts"
	"github.com/apigw-drift/driftaudit/pkg/inventory"
	"github.com/apigw-drift/driftaudit/pkg/quota"
)

// RegionClients are the API Gateway clients one region of cfg's account is read with, exactly as
// a scan reads it: c's retryer and attempt timeout, and one quota limiter that v1 and v2 share
// (API Gateway's control-plane quota is per account and region, whichever API is called).
func RegionClients(c Config, cfg aws.Config, region string) inventory.Clients {
	return regionClients(c, cfg, region, awshttp.NewBuildableClient().WithTimeout(c.AttemptTimeout))
}

func regionClients(c Config, cfg aws.Config, region string, httpClient *awshttp.BuildableClient) inventory.Clients {
	limiter := quota.NewLimiter(c.Limits)
	rest := apigateway.NewFromConfig(cfg, func(o *apigateway.Options) {
		o.Region = region
		o.APIOptions = append(o.APIOptions, limiter.APIOption())
		o.Retryer, o.HTTPClient = c.retryer(), httpClient
	})
	return inventory.Clients{
		REST: rest,
		V2: apigatewayv2.NewFromConfig(cfg, func(o *apigatewayv2.Options) {
			o.Region = region
			o.APIOptions = append(o.APIOptions, limiter.APIOption())
			o.Retryer, o.HTTPClient = c.retryer(), httpClient
		}),
		Authorizers: rest,
	}
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
