package nightly

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/apigw-drift/driftaudit/pkg/accounts"
	"github.com/apigw-drift/driftaudit/pkg/checks"
	"github.com/apigw-drift/driftaudit/pkg/report"
	"github.com/apigw-drift/driftaudit/pkg/securityhub"
)

// sendToSecurityHub imports the report's findings into AWS Security Hub when SECURITY_HUB is
// set: its findings, its suppressed findings and those it resolved against its baseline
// (ARCHIVED), into the default product of the function's own account in the function's region,
// the one product its role may import into.
//
// BatchImportFindings takes a default-product finding only from the account the finding is in,
// so an organization run's join imports the findings of its own account; those of every other
// account are logged, one record per account with their number, and left out. A finding
// Security Hub still refuses after the retries is one "scan error" record (operation
// BatchImportFindings, its id and error code) and fails the invocation, as a failed publish does.
func (h *Handler) sendToSecurityHub(ctx context.Context, rep *report.Report, fullReport string) error {
	if !h.Config.SecurityHub {
		return nil
	}
	fail := func(err error) error {
		err = fmt.Errorf("security hub: %w", err)
		h.Logger.ErrorContext(ctx, "findings not sent to Security Hub", "error", err)
		return err
	}
	if h.SecurityHub == nil {
		return fail(errors.New("no Security Hub client"))
	}
	caller, err := accounts.WhoAmI(ctx, sts.NewFromConfig(h.AWS))
	if err != nil {
		return fail(err)
	}
	own, others := ofAccount(rep, caller.Account)
	var errs []error
	for _, id := range slices.Sorted(maps.Keys(others)) {
		if id == "" {
			n := others[id]
			h.Logger.ErrorContext(ctx, "findings not sent to Security Hub", "account_id", "", "findings", n,
				"reason", "their account could not be read, and a Security Hub finding needs one")
			errs = append(errs, fmt.Errorf("security hub: %d findings of an account that could not be read are not sent", n))
			continue
		}
		h.Logger.WarnContext(ctx, "findings not sent to Security Hub", "account_id", id, "findings", others[id],
			"reason", "BatchImportFindings takes default-product findings only from their own account, "+caller.Account+" here")
	}
	findings, err := securityhub.Findings(own, securityhub.Options{HubRegion: h.AWS.Region, Partition: caller.Partition, FullReport: fullReport})
	if err != nil {
		errs = append(errs, fail(err))
	}
	res, err := securityhub.Import(ctx, h.SecurityHub, findings)
	h.Logger.InfoContext(ctx, "findings sent to Security Hub", "product_arn", securityhub.ProductARN(caller.Partition, h.AWS.Region, caller.Account),
		"findings", res.Findings, "imported", res.Imported, "calls", res.Calls, "retried", res.Retried)
	if err != nil {
		var ie *securityhub.ImportError
		if errors.As(err, &ie) {
			where := locate(own)
			for _, f := range ie.Failures {
				at := where[f.ID]
				h.Logger.ErrorContext(ctx, "scan error", "operation", "BatchImportFindings", "finding_id", f.ID, "error_code", f.Code,
					"check", at.Check, "account_id", at.AccountID, "region", at.Region, "api_id", at.APIID, "message", f.Message)
			}
		}
		errs = append(errs, fmt.Errorf("security hub: %w", err))
	}
	return errors.Join(errs...)
}

// ofAccount is the part of rep in account (its findings, suppressed and resolved findings), and
// the number of findings of each other account.
func ofAccount(rep *report.Report, account string) (*report.Report, map[string]int) {
	own := *rep
	others := map[string]int{}
	keep := func(f checks.Finding) bool {
		if f.AccountID == account {
			return true
		}
		others[f.AccountID]++
		return false
	}
	own.Findings, own.Resolved, own.Suppressed = nil, nil, nil
	for _, f := range rep.Findings {
		if keep(f) {
			own.Findings = append(own.Findings, f)
		}
	}
	for _, f := range rep.Resolved {
		if keep(f) {
			own.Resolved = append(own.Resolved, f)
		}
	}
	for _, s := range rep.Suppressed {
		if keep(s.Finding) {
			own.Suppressed = append(own.Suppressed, s)
		}
	}
	return &own, others
}

// locate maps each finding id of rep to the finding, for the log.
func locate(rep *report.Report) map[string]checks.Finding {
	out := map[string]checks.Finding{}
	add := func(f checks.Finding) { out[f.ID] = f }
	for _, f := range rep.Findings {
		add(f)
	}
	for _, f := range rep.Resolved {
		add(f)
	}
	for _, s := range rep.Suppressed {
		add(s.Finding)
	}
	return out
}
