package audit_test

import (
	"strings"
	"testing"
	"time"

	"github.com/apigw-drift/driftaudit/pkg/audit"
	"github.com/apigw-drift/driftaudit/pkg/inventory"
)

// TestSchema1InventoryIsIncomplete: an inventory saved before HTTP APIs and v2 mappings were read
// is still audited, but it cannot know them: its regions say so with a scan error, so the report
// is incomplete, and a domain that shows no REST mapping is not called empty.
func TestSchema1InventoryIsIncomplete(t *testing.T) {
	const saved = `{"schema_version": 1, "account_id": "123456789012", "collected_at": "2025-01-01T00:00:00Z", "regions": [
	  {"name": "us-east-1", "apis": [], "usage_plans": [], "api_keys": [],
	   "domains": [{"name": "shop.example.com", "mappings": []}], "errors": []}]}`
	inv, err := inventory.Decode(strings.NewReader(saved))
	if err != nil {
		t.Fatal(err)
	}
	c := audit.DefaultConfig()
	c.Regions = []string{"us-east-1"}
	rep, err := audit.Evaluate(inv, c, time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Summary.Complete {
		t.Error("the audit of a schema 1 inventory says it is complete, though HTTP and WebSocket APIs were never read")
	}
	if len(rep.Errors) != 1 || rep.Errors[0].Operation != inventory.OpGetApis || rep.Errors[0].AccountID != "123456789012" ||
		!strings.Contains(rep.Errors[0].Message, "schema 1") {
		t.Errorf("errors %+v: want one GetApis error in the file's account that names schema 1", rep.Errors)
	}
	for _, f := range rep.Findings {
		if f.Domain == "shop.example.com" {
			t.Errorf("judged a domain whose HTTP mappings the file cannot know: %s", f.Message)
		}
	}
}
