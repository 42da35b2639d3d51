package publish_test

import (
	"fmt"
	"time"

	"github.com/apigw-drift/driftaudit/pkg/checks"
	"github.com/apigw-drift/driftaudit/pkg/inventory"
	"github.com/apigw-drift/driftaudit/pkg/report"
)

const account = "123456789012"

var runAt = time.Date(2025, 3, 1, 2, 0, 0, 0, time.UTC)

func region(name string, apiIDs ...string) inventory.Region {
	r := inventory.Region{Name: name, APIs: []inventory.API{}}
	for _, id := range apiIDs {
		r.APIs = append(r.APIs, inventory.API{ID: id, Name: "api-" + id})
	}
	return r
}

func scanError(regionName, apiID, op, msg string) inventory.ScanError {
	return inventory.ScanError{Region: regionName, APIID: apiID, Operation: op, Message: msg}
}

// finding is a finding of check id on an API of region, at the check's own severity unless sev
// is given.
func finding(id, regionName, apiID string, sev ...checks.Severity) checks.Finding {
	f := checks.Finding{Check: id, Region: regionName, APIID: apiID, APIName: "api-" + apiID}
	for _, c := range checks.All() {
		if c.ID == id {
			f.Severity, f.Remediation = c.Severity, c.Remediation
		}
	}
	if f.Severity == 0 {
		panic("no check " + id)
	}
	if len(sev) > 0 {
		f.Severity = sev[0]
	}
	f.Message = fmt.Sprintf("%s on %s in %s", id, apiID, regionName)
	return f
}

// build assembles a report the way audit.Evaluate does: every check ran, findings worst first.
func build(regions []inventory.Region, findings ...checks.Finding) *report.Report {
	inv := &inventory.Inventory{SchemaVersion: inventory.SchemaVersion, AccountID: account, CollectedAt: runAt, Regions: regions}
	checks.Sort(findings)
	return report.Build(inv, checks.All(), findings, runAt)
}
