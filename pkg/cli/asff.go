package cli

import (
	"io"

	"github.com/apigw-drift/driftaudit/pkg/report"
	"github.com/apigw-drift/driftaudit/pkg/securityhub"
)

// writeASFF writes the report's findings in the AWS Security Finding Format: a JSON array, the
// value `aws securityhub batch-import-findings --findings file://FILE` takes, each finding in
// its own region's Security Hub. A finding that cannot be one (its account could not be read) is
// named in the error, after the others are written.
func writeASFF(w io.Writer, rep *report.Report) error {
	findings, mapErr := securityhub.Findings(rep, securityhub.Options{FullReport: "in the JSON report (driftaudit scan --format json)"})
	if err := securityhub.WriteJSON(w, findings); err != nil {
		return err
	}
	return mapErr
}
