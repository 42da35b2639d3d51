// Package awsemu is the test support that stands in for AWS. No test, demo or benchmark of the
// project talks to real AWS: they talk to moto server (an AWS emulator), through a Shim that
// makes moto answer like API Gateway where it does not (apiSummary on deployments, paged lists,
// the empty base path mapping list), counts every call by operation, and throttles and injects
// faults on command.
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
package awsemu
