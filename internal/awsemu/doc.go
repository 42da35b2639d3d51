// Package awsemu is the test support that stands in for AWS. No test, demo or benchmark of the
// project talks to real AWS: they talk to moto server (an AWS emulator), through a Shim that
// makes moto answer like API Gateway where it does not (apiSummary on deployments, paged lists,
// the empty base path mapping list, method bodies on resources only with embed=methods), counts
// every call by operation, and throttles and injects faults on command.
//
// A package's tests start one moto in TestMain and a shim per test:
//
//	moto, err := awsemu.StartMoto(ctx) // in TestMain; defer moto.Close()
//	...
//	_ = moto.Reset(ctx)
//	shim := awsemu.NewShim(moto.URL)
//	defer shim.Close()
//	client := apigateway.NewFromConfig(awsemu.AWSConfig(shim.URL, "us-east-1"))
//
// and set AWS_EC2_METADATA_DISABLED=true, so that nothing in the process looks for real
// credentials.
//
// # CloudWatch
//
// aws-sdk-go-v2's cloudwatch client speaks Smithy RPC v2 CBOR, which moto does not; the shim
// translates, so a default client works unchanged:
//
//	c := cloudwatch.NewFromConfig(awsemu.AWSConfig(shim.URL, "us-east-1"))
//
// PutMetricData, GetMetricStatistics, ListMetrics and GetMetricData are translated (gzipped
// request bodies included): the CBOR input becomes moto's query-protocol form, moto's XML answer
// becomes the CBOR output, both through the SDK's own model and codecs. moto's errors reach the
// SDK as the modelled types with their query codes (InvalidParameterValue comes back as
// *types.InvalidParameterValueException whose ErrorCode is "InvalidParameterValue"), as AWS sends
// them. Any other operation is answered at once with a 400 UnsupportedOperation error. Faults
// and the error helpers answer CloudWatch in CBOR too; FaultThrottle sends CloudWatch's own
// throttle, HTTP 400 with the code Throttling. The shim enforces none of PutMetricData's limits
// (nor does moto), but Shim.MetricDataRequests records every PutMetricData attempt (datums,
// values, body size decompressed and on the wire, status), so a test can assert batching.
//
// moto's CloudWatch differs from AWS in ways a test must allow for. GetMetricStatistics matches
// dimensions as a subset (a query without dimensions aggregates every dimension set of the
// metric; AWS wants the exact set), starts its periods at the first datum rather than on period
// boundaries, reports one Unit per datapoint (that of its last datum), and ignores
// ExtendedStatistics. GetMetricData matches dimensions exactly but ignores the Namespace when the
// query names dimensions, and its comparison of two or more dimensions depends on their order
// (name them in the order they were put); without dimensions it aggregates them all. ListMetrics
// repeats a metric of two or more dimensions once per datum put: the shim drops the repeats
// within a page (moto pages by 500). A datum put without Timestamp is stamped with moto's clock.
package awsemu
