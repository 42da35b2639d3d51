package inventory

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
)

func TestLooksLikeSecret(t *testing.T) {
	// Provider tokens are assembled here, so that no string of this file has a real token's
	// shape for a secret scanner to trip on.
	rep := strings.Repeat
	for _, tc := range []struct {
		name  string
		value string
		want  bool
	}{
		// Credentials.
		{"AWS access key id", "AKIAIOSFODNN7EXAMPLE", true},
		{"AWS temporary access key id", "ASIA" + rep("Q", 3) + "EXAMPLE2KEYID", true},
		{"AWS access key id inside a query string", "https://h.example.com/?id=AKIAIOSFODNN7EXAMPLE&x=1", true},
		{"AWS secret access key", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", true},
		{"AWS secret access key, surrounding blanks", "  wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n", true},
		{"RSA private key", "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----", true},
		{"PKCS#8 private key", "-----BEGIN PRIVATE KEY-----MIIEvQIBADANBg", true},
		{"OpenSSH private key", "-----BEGIN OPENSSH PRIVATE KEY-----b3BlbnNzaC1rZXktdjE", true},
		{"PGP private key", "-----BEGIN PGP PRIVATE KEY BLOCK-----", true},
		{"JWT", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U", true},
		{"JWT in a URL", "https://h.example.com/cb?token=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.sig", true},
		{"URL with a password", "postgres://app:" + "hunter2@db.internal:5432/orders", true},
		{"GitHub personal access token", "ghp" + "_" + rep("a1B2", 9), true},
		{"GitHub fine-grained token", "github_pat" + "_" + rep("11AB", 6) + "_" + rep("xY9z", 10), true},
		{"Slack bot token", "xox" + "b-" + "123456789012-123456789012-" + rep("aB3", 8), true},
		{"Slack webhook URL", "https://hooks.slack.com/services/T0ABCDEF1/B0ABCDEF2/" + rep("aB3d", 6), true},
		{"Stripe live secret key", "sk" + "_live_" + rep("4eC39HqLyjWDarjt", 2), true},
		{"Stripe test restricted key", "rk" + "_test_" + rep("4eC39HqLyjWDarjt", 2), true},
		{"Google API key", "AIza" + "Sy" + rep("A1b2C3d4e5", 3) + "f6g", true},

		// Ordinary values, including the ones that point at a secret.
		{"empty", "", false},
		{"word", "production", false},
		{"boolean", "true", false},
		{"number", "8080", false},
		{"long number", "123456789012", false},
		{"version", "v2.14.3", false},
		{"region", "eu-west-1", false},
		{"UUID", "550e8400-e29b-41d4-a716-446655440000", false},
		{"SHA-1 hex digest", "2fd4e1c67a2d28fced849ee1bb76e7391b93eb12", false},
		{"SHA-1 hex digest, upper case", "2FD4E1C67A2D28FCED849EE1BB76E7391B93EB12", false},
		{"SHA-256 hex digest", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", false},
		{"URL", "https://auth.example.com/oauth2/token", false},
		{"URL with a port", "https://orders.internal.example.com:8443/v1/orders?limit=10", false},
		{"URL with a user but no password", "https://deploy@git.example.com/repo.git", false},
		{"Secrets Manager ARN", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db/password-AbCdEf", false},
		{"SSM parameter ARN", "arn:aws:ssm:eu-west-1:123456789012:parameter/prod/orders/api-key", false},
		{"SSM parameter name", "/prod/orders/stripe_api_key", false},
		{"Lambda alias ARN", "arn:aws:lambda:eu-west-1:123456789012:function:orders:live", false},
		{"KMS key id", "1234abcd-12ab-34cd-56ef-1234567890ab", false},
		{"hostname", "orders-backend.internal.example.com", false},
		{"40-character path", "services/OrdersApi/v2/Handlers/Checkout1", false},
		{"40-character identifier", "MyCompanyOrdersServiceProductionStage001", false},
		{"39 characters of base64", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKE", false},
		{"access key id prefix inside a word", "XAKIAIOSFODNN7EXAMPLEZ", false},
		{"a bare provider prefix", "sk_live_", false},
		{"role unique id (not a credential)", "AROAEXAMPLEID1234567", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := LooksLikeSecret(tc.value); got != tc.want {
				t.Errorf("LooksLikeSecret(%q) = %t, want %t", tc.value, got, tc.want)
			}
		})
	}
}

// TestStageVariableValuesAreDropped reads a stage the way the collector does and checks that its
// variables' values are reduced to a verdict: no part of a value reaches the inventory.
func TestStageVariableValuesAreDropped(t *testing.T) {
	values := map[string]string{
		"backendUrl": "AKIAIOSFODNN7EXAMPLE",
		"dbPassword": "correct-horse-battery-staple",
		"region":     "eu-west-1",
	}
	st := stageFrom(types.Stage{StageName: aws.String("prod"), Variables: values})
	want := []StageVariable{{Name: "backendUrl", ValueLooksSecret: true}, {Name: "dbPassword"}, {Name: "region"}}
	if len(st.Variables) != len(want) {
		t.Fatalf("variables %+v, want %+v", st.Variables, want)
	}
	for i := range want {
		if st.Variables[i] != want[i] {
			t.Errorf("variable %d = %+v, want %+v", i, st.Variables[i], want[i])
		}
	}
	b, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	for name, v := range values {
		if name == "region" {
			continue // a value that is also an ordinary word of the stage proves nothing
		}
		for i := 0; i+6 <= len(v); i++ {
			if strings.Contains(string(b), v[i:i+6]) {
				t.Errorf("the stage's JSON %s carries %q, part of variable %s's value", b, v[i:i+6], name)
			}
		}
	}
}
