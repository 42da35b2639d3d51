package nightly_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	securityhubsdk "github.com/aws/aws-sdk-go-v2/service/securityhub"

	"github.com/apigw-drift/driftaudit/internal/seed"
	"github.com/apigw-drift/driftaudit/pkg/cli"
	"github.com/apigw-drift/driftaudit/pkg/nightly"
)

// Secrets the account holds must never leave it through the auditor: API key values, stage
// variable values and authorizer credentials are seeded with markers, and every output of a
// run is searched for them: the Lambda's logs, the SNS message, the metrics, and the CLI's
// text, JSON, Markdown and ASFF reports and saved inventory, and the findings in Security Hub.

const (
	keyMarker      = "KEYVALUEMARKER0123456789abcdefghij"
	variableMarker = "AKIAVARMARKER0000001" // shaped like an access key id, so the secrets check fires
	plainMarker    = "PLAINVARIABLEMARKER42"
	authMarker     = "AUTHORIZERMARKER-role"
)

func TestSecretsNeverLeaveTheAccount(t *testing.T) {
	s := newStack(t, map[string]string{nightly.EnvSecurityHub: "true"})
	ctx := context.Background()
	client := apigateway.NewFromConfig(s.cfg)
	s.seed(func(b *seed.Builder) error {
		api := b.API("secretive", seed.APIOptions{ID: "secret0001"})
		api.Method("/data", "GET", seed.Method{KeyRequired: true})
		api.Deploy("prod")
		plan := b.UsagePlan("secretive-plan", "secret0001:prod")
		if err := b.Err(); err != nil {
			return err
		}
		key, err := client.CreateApiKey(ctx, &apigateway.CreateApiKeyInput{Name: aws.String("partner"), Enabled: true, Value: aws.String(keyMarker)})
		if err != nil {
			return err
		}
		if _, err := client.CreateUsagePlanKey(ctx, &apigateway.CreateUsagePlanKeyInput{UsagePlanId: &plan, KeyId: key.Id, KeyType: aws.String("API_KEY")}); err != nil {
			return err
		}
		if _, err := client.UpdateStage(ctx, &apigateway.UpdateStageInput{RestApiId: aws.String("secret0001"), StageName: aws.String("prod"),
			PatchOperations: []types.PatchOperation{
				{Op: types.OpReplace, Path: aws.String("/variables/backendKey"), Value: aws.String(variableMarker)},
				{Op: types.OpReplace, Path: aws.String("/variables/dbPassword"), Value: aws.String(plainMarker)},
			}}); err != nil {
			return err
		}
		_, err = client.CreateAuthorizer(ctx, &apigateway.CreateAuthorizerInput{RestApiId: aws.String("secret0001"), Name: aws.String("auth"),
			Type: types.AuthorizerTypeToken, IdentitySource: aws.String("method.request.header.Authorization"),
			AuthorizerUri:         aws.String("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:auth/invocations"),
			AuthorizerCredentials: aws.String("arn:aws:iam::123456789012:role/" + authMarker)})
		return err
	})

	// The markers are really there to be leaked: the emulator returns them to anyone who asks.
	keys, err := client.GetApiKeys(ctx, &apigateway.GetApiKeysInput{IncludeValues: aws.Bool(true)})
	if err != nil || len(keys.Items) != 1 || aws.ToString(keys.Items[0].Value) != keyMarker {
		t.Fatalf("the seeded key value is not readable: %v %v", keys, err)
	}
	stages, err := client.GetStages(ctx, &apigateway.GetStagesInput{RestApiId: aws.String("secret0001")})
	if err != nil || stages.Item[0].Variables["backendKey"] != variableMarker {
		t.Fatalf("the seeded stage variable is not readable: %v", err)
	}
	s.shim.ResetLog()

	var outputs []string
	if err := s.invoke("scheduler-event.json", time.Minute); err != nil {
		t.Fatal(err)
	}
	outputs = append(outputs, s.logs.String())
	hub, err := json.Marshal(hubFindings(t, securityhubsdk.NewFromConfig(s.cfg)))
	if err != nil || len(hub) < 100 {
		t.Fatalf("nothing read back from Security Hub (%v)", err)
	}
	outputs = append(outputs, string(hub))
	for _, n := range s.received() {
		outputs = append(outputs, n.Subject, n.Message)
		for name, a := range n.MessageAttributes {
			outputs = append(outputs, name, a.Value)
		}
	}
	getResources := 0
	for _, r := range s.shim.Requests() {
		if r.Service == "apigateway" && (r.Method != "GET" || strings.Contains(strings.ToLower(r.RawQuery), "includevalues")) {
			t.Errorf("the scan made a call it must never make: %s %s?%s", r.Method, r.Path, r.RawQuery)
		}
		if r.Operation == "GetResources" {
			getResources++
			if q, err := url.ParseQuery(r.RawQuery); err != nil || !slices.Contains(q["embed"], "methods") {
				t.Errorf("GetResources without embed=methods, so AWS would send no method bodies: %s", r.RawQuery)
			}
		}
	}
	if getResources == 0 {
		t.Errorf("the scan read no resources")
	}
	if !strings.Contains(s.logs.String(), "backendKey") || !strings.Contains(s.logs.String(), "secrets-in-stage-variables") {
		t.Errorf("the secret-looking variable should be reported by name")
	}

	t.Setenv("AWS_ACCESS_KEY_ID", "AKIAFAKE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "fake")
	t.Setenv("AWS_CONFIG_FILE", os.DevNull)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", os.DevNull)
	var inventory string
	for _, args := range [][]string{
		{"scan", "--format", "text"}, {"scan", "--format", "json"}, {"scan", "--format", "markdown"}, {"scan", "--format", "asff"}, {"inventory"},
	} {
		var out, errOut bytes.Buffer
		cli.Main(ctx, append(args, "--endpoint-url", s.shim.URL, "--region", region), cli.Env{Stdout: &out, Stderr: &errOut})
		outputs = append(outputs, out.String(), errOut.String())
		if args[0] == "inventory" {
			inventory = out.String()
		}
	}
	file := filepath.Join(t.TempDir(), "inventory.json")
	if err := os.WriteFile(file, []byte(inventory), 0o600); err != nil {
		t.Fatal(err)
	}
	var offline bytes.Buffer
	cli.Main(ctx, []string{"scan", "--snapshot", file, "--format", "json"}, cli.Env{Stdout: &offline, Stderr: &offline})
	outputs = append(outputs, offline.String())

	for _, out := range outputs {
		for _, marker := range []string{keyMarker, variableMarker, plainMarker, authMarker} {
			if strings.Contains(out, marker) {
				t.Errorf("a secret leaked (%s) into an output:\n%s", marker, excerpt(out, marker))
			}
		}
	}
}

func excerpt(s, marker string) string {
	i := strings.Index(s, marker)
	return s[max(0, i-200):min(len(s), i+len(marker)+50)]
}
