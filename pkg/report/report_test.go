package report

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/apigw-drift/driftaudit/pkg/checks"
	"github.com/apigw-drift/driftaudit/pkg/inventory"
	"github.com/apigw-drift/driftaudit/pkg/suppress"
)

// TestWriteJSONStreamsTheSameDocument: the streamed document is byte for byte what encoding
// the whole report at once gives, for full and empty reports.
func TestWriteJSONStreamsTheSameDocument(t *testing.T) {
	f := checks.Finding{Check: "missing-options", Severity: checks.Critical, Region: "eu-west-1", APIID: "a1", APIName: "<shop & co>",
		Path: "/x", Method: "OPTIONS", Message: `say "hi" <b>`, Remediation: "aws apigateway put-method --region eu-west-1"}
	inv := &inventory.Inventory{AccountID: "123456789012", Regions: []inventory.Region{{Name: "eu-west-1", APIs: []inventory.API{{ID: "a1"}},
		Errors: []inventory.ScanError{{Region: "eu-west-1", APIID: "a2", Operation: "GetStages", Message: "AccessDenied"}}}}}
	full := Build(inv, checks.All(), []checks.Finding{f, f}, time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC))
	full.Suppressed = []suppress.Suppressed{{Finding: f, Suppression: "why"}}
	full.Warnings = []string{"suppression expired"}
	empty := Build(&inventory.Inventory{}, nil, nil, time.Time{})
	for name, rep := range map[string]*Report{"full": full, "empty": empty} {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(rep); err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		if err := rep.WriteJSON(&got); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Errorf("%s report:\n got %s\nwant %s", name, got.String(), want.String())
		}
	}
}
