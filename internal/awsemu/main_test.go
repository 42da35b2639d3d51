package awsemu

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
)

// testMoto is the package's one moto, shared because starting it costs seconds; tests run one at
// a time and Reset it first.
var testMoto *Moto

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	os.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	moto, err := StartMoto(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, "awsemu tests:", err)
		return 1
	}
	defer moto.Close()
	testMoto = moto
	return m.Run()
}

const region = "us-east-1"

// setup gives a test a clean moto and its own shim.
func setup(t *testing.T, opts ...Option) (*Shim, *apigateway.Client) {
	t.Helper()
	if err := testMoto.Reset(t.Context()); err != nil {
		t.Fatal(err)
	}
	s := NewShim(testMoto.URL, opts...)
	t.Cleanup(s.Close)
	return s, apigw(s, region)
}

func apigw(s *Shim, region string, optFns ...func(*apigateway.Options)) *apigateway.Client {
	return apigateway.NewFromConfig(AWSConfig(s.URL, region), optFns...)
}

// noRetry lets a test see the first error as the SDK decoded it.
func noRetry(o *apigateway.Options) { o.Retryer = aws.NopRetryer{} }

func check(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// rootID returns the id of an API's "/" resource.
func rootID(t *testing.T, c *apigateway.Client, apiID string) string {
	t.Helper()
	out, err := c.GetResources(t.Context(), &apigateway.GetResourcesInput{RestApiId: &apiID, Limit: aws.Int32(500)})
	check(t, err)
	for _, r := range out.Items {
		if aws.ToString(r.Path) == "/" {
			return aws.ToString(r.Id)
		}
	}
	t.Fatalf("API %s has no root resource", apiID)
	return ""
}

func newAPI(t *testing.T, c *apigateway.Client, name string) string {
	t.Helper()
	out, err := c.CreateRestApi(t.Context(), &apigateway.CreateRestApiInput{Name: aws.String(name)})
	check(t, err)
	return aws.ToString(out.Id)
}

// newSignedGet sends a GET with a SigV4-looking Authorization header, for paths no SDK call
// produces.
func newSignedGet(rawURL, service string) (*http.Response, error) {
	req, err := http.NewRequest(http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", sigv4(service, region))
	return http.DefaultClient.Do(req)
}
