package awsemu

import (
	"fmt"
	"maps"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// TestSDKOperationsCounted checks the router against what the real SDK clients put on the wire,
// for the three protocols moto and the shim share.
func TestSDKOperationsCounted(t *testing.T) {
	s, c := setup(t)
	ctx := t.Context()

	apiID := newAPI(t, c, "counted")
	root := rootID(t, c, apiID)
	_, err := c.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: &apiID, ResourceId: &root,
		HttpMethod: aws.String("GET"), AuthorizationType: aws.String("NONE")})
	check(t, err)
	_, err = c.GetMethod(ctx, &apigateway.GetMethodInput{RestApiId: &apiID, ResourceId: &root, HttpMethod: aws.String("GET")})
	check(t, err)
	_, err = c.GetApiKeys(ctx, &apigateway.GetApiKeysInput{})
	check(t, err)
	_, err = c.GetStages(ctx, &apigateway.GetStagesInput{RestApiId: &apiID})
	check(t, err)

	sc := sns.NewFromConfig(AWSConfig(s.URL, "eu-west-1"))
	topic, err := sc.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("alerts")})
	check(t, err)
	_, err = sc.Publish(ctx, &sns.PublishInput{TopicArn: topic.TopicArn, Message: aws.String("hello")})
	check(t, err)

	qc := sqs.NewFromConfig(AWSConfig(s.URL, region))
	_, err = qc.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("inbox")})
	check(t, err)

	wantAPIGW := map[string]int{"CreateRestApi": 1, "GetResources": 1, "PutMethod": 1, "GetMethod": 1, "GetApiKeys": 1, "GetStages": 1}
	if got := s.CountsFor("apigateway"); !maps.Equal(got, wantAPIGW) {
		t.Errorf("apigateway counts = %v, want %v", got, wantAPIGW)
	}
	if got, want := s.CountsFor("sns"), map[string]int{"CreateTopic": 1, "Publish": 1}; !maps.Equal(got, want) {
		t.Errorf("sns counts = %v, want %v", got, want)
	}
	if got, want := s.CountsFor("sqs"), map[string]int{"CreateQueue": 1}; !maps.Equal(got, want) {
		t.Errorf("sqs counts = %v, want %v", got, want)
	}
	if got := len(s.Counts()); got != len(wantAPIGW)+3 {
		t.Errorf("Counts has %d operations, want %d: %v", got, len(wantAPIGW)+3, s.Counts())
	}

	for _, r := range s.Requests() {
		if r.Status != 200 && r.Status != 201 {
			t.Errorf("%s answered %d", r.Operation, r.Status)
		}
		if r.Injected {
			t.Errorf("%s marked injected with no fault set", r.Operation)
		}
		switch r.Service {
		case "sns":
			if r.Region != "eu-west-1" {
				t.Errorf("sns region = %q", r.Region)
			}
		case "apigateway":
			if r.Region != region {
				t.Errorf("apigateway region = %q", r.Region)
			}
			if r.Operation != "CreateRestApi" && r.Operation != "GetApiKeys" && r.APIID != apiID {
				t.Errorf("%s: APIID = %q, want %q", r.Operation, r.APIID, apiID)
			}
		}
	}

	s.ResetLog()
	if n := len(s.Requests()); n != 0 {
		t.Errorf("ResetLog left %d requests", n)
	}
}

// TestRawQueryKept is what lets the auditor's tests prove that API key values are never asked for.
func TestRawQueryKept(t *testing.T) {
	s, c := setup(t)
	_, err := c.GetApiKeys(t.Context(), &apigateway.GetApiKeysInput{IncludeValues: aws.Bool(true), Limit: aws.Int32(7)})
	check(t, err)
	reqs := s.Requests()
	if len(reqs) != 1 {
		t.Fatalf("got %d requests", len(reqs))
	}
	q, err := url.ParseQuery(reqs[0].RawQuery)
	check(t, err)
	if q.Get("includeValues") != "true" || q.Get("limit") != "7" {
		t.Errorf("raw query %q lost what the client sent", reqs[0].RawQuery)
	}
	if reqs[0].Method != "GET" || reqs[0].Path != "/apikeys" {
		t.Errorf("request = %s %s", reqs[0].Method, reqs[0].Path)
	}
}

func TestUnknownPathForwarded(t *testing.T) {
	s, _ := setup(t)
	resp, err := newSignedGet(s.URL+"/restapis/nope/nonsense", "apigateway")
	check(t, err)
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Errorf("status %d, want moto's 404", resp.StatusCode)
	}
	if got := s.Counts(); got["GET /restapis/nope/nonsense"] != 1 {
		t.Errorf("counts = %v", got)
	}
	if !strings.HasPrefix(s.Requests()[0].Operation, "GET ") {
		t.Errorf("operation = %q", s.Requests()[0].Operation)
	}
}

// TestConcurrentUse drives the shim from many goroutines while the test reconfigures it, as the
// scanner's tests will; run with -race it checks the shim's locking.
func TestConcurrentUse(t *testing.T) {
	s, c := setup(t)
	for i := range 6 {
		newAPI(t, c, "api-"+strconv.Itoa(i))
	}
	s.ResetLog()
	s.SetMaxPageSize(2)
	s.SetThrottle(AWSQuotas(20))
	s.AddFault(Fault{Operation: "GetRestApis", Status: 500, Probability: 0.1})

	const workers, calls = 8, 5
	var wg sync.WaitGroup
	errs := make(chan error, workers*calls)
	for range workers {
		wg.Go(func() {
			for range calls {
				n := 0
				p := apigateway.NewGetRestApisPaginator(c, &apigateway.GetRestApisInput{})
				for p.HasMorePages() {
					out, err := p.NextPage(t.Context())
					if err != nil {
						errs <- err
						return
					}
					n += len(out.Items)
				}
				if n != 6 {
					errs <- fmt.Errorf("paginator saw %d APIs, want 6", n)
				}
			}
		})
	}
	wg.Go(func() {
		for i := range 20 {
			s.SetMaxPageSize(2 + i%2)
			_ = s.Counts()
			_ = s.Requests()
		}
	})
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	total := 0
	for _, n := range s.Counts() {
		total += n
	}
	if total != len(s.Requests()) || s.Injected() == 0 {
		t.Errorf("counts total %d, log %d, injected %d", total, len(s.Requests()), s.Injected())
	}
}
