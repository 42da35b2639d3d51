// Package awsemu is the test support that stands in for AWS. No test, demo or benchmark of the
// project talks to real AWS: they talk to moto server (an AWS emulator), through a Shim that
// makes moto answer like API Gateway where it does not (apiSummary on deployments, paged lists,
// the empty base path mapping list, method bodies on resources only with embed=methods, and the
// API Gateway v2 gaps below), counts every call by operation, and throttles and injects faults
// on command.
//
// A package's tests start one moto in TestMain and a shim per test, on an emptied moto:
//
//	func TestMain(m *testing.M) { os.Exit(awsemu.RunWithMoto(m, &moto, nil)) }
//	...
//	shim := awsemu.FreshShim(t, moto) // closed when the test ends
//	client := apigateway.NewFromConfig(awsemu.AWSConfig(shim.URL, "us-east-1"))
//
// A program with an emulator of its own (the demo, the benchmarks) starts both at once with
// StartWithShim.
//
// and set AWS_EC2_METADATA_DISABLED=true, so that nothing in the process looks for real
// credentials.
//
// # API Gateway v2 in the shim
//
// HTTP and WebSocket APIs are read with aws-sdk-go-v2's apigatewayv2 client, which signs as
// apigateway too; the shim names every v2 operation (Request.V2 tells them from v1's of the same
// name, such as GetDomainNames, and Request.APIID is the v2 apiId) and fills these gaps of moto's:
//
//   - Deployments: moto has none. CreateDeployment freezes the API's routes, integrations and the
//     authorizers its routes use, and points the stage named in the request at the deployment;
//     GetDeployments, GetDeployment, UpdateDeployment (description) and DeleteDeployment work on
//     what the shim keeps. DeleteDeployment is allowed while a stage points to the deployment, so
//     a test can make a stage whose deployment is gone.
//   - Stages: GetStage and GetStages carry the deploymentId, which moto drops, also from
//     CreateStage; UpdateStage, which moto lacks, applies its members over moto's stage; a stage
//     that exists is not made again. Shim.SetLastDeploymentStatusMessage gives a stage the
//     lastDeploymentStatusMessage of a failed automatic deployment, which the shim never makes.
//   - ExportApi: moto has none. The shim writes the OpenAPI 3.0 document (JSON or YAML) of an
//     HTTP API: the current routes, those of the deployment a stage points to, or the current
//     ones for an autoDeploy stage; with extensions (the default) the integrations, authorizers
//     and CORS as x-amazon-apigateway-* extensions.
//   - Paging: every v2 list is paged by maxResults and nextToken (25 items by default, as v1;
//     SetMaxPageSize caps them too).
//   - One custom domain namespace: a domain made with either API is listed and read by both, in
//     each API's shape, and neither makes a name the other holds. v2 CreateApiMapping maps REST
//     APIs too, on any domain, with keys of several levels; it refuses a stage that does not
//     exist, a key the domain maps already, and (as the developer guide says) an HTTP API or a key
//     of several levels on a domain that is not regional with TLS 1.2. A v1 domain's base path
//     mappings are its API mappings in v2, and v1 shows the single-level mappings to REST APIs
//     made with v2. Mappings outlive the stages and APIs they name, as in AWS. Deleting a domain
//     takes its mappings along.
//
// Still as moto has them: v2 GetAuthorizers (moto answers 500), UpdateDomainName and
// UpdateApiMapping (500), automatic deployments, the domain status fields of v2 domains (moto
// keeps only what the client sent), and no check that a WebSocket API shares no domain with a
// REST or HTTP API.
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
