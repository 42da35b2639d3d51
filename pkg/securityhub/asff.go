// Package securityhub sends a report's findings to AWS Security Hub: it maps each one to the AWS
// Security Finding Format (ASFF) and imports them with BatchImportFindings, in batches within the
// service's limits, retrying what Security Hub fails to take and returning, never dropping, what
// it still refuses.
//
// The mapping, and why:
//
//   - Id is the finding's fingerprint (checks.Fingerprint). It already names the account, region,
//     check and location, and Security Hub ids are scoped to a product, which is the account's own
//     default product: the same drift keeps one Id across runs, so a run updates its finding
//     rather than adding one.
//   - ProductArn is arn:PARTITION:securityhub:REGION:ACCOUNT:product/ACCOUNT/default, the product
//     every account has for its own findings. REGION is the Security Hub the findings go to
//     (Options.HubRegion; each finding's own region by default).
//   - GeneratorId is "driftaudit/CHECK": the check, in a namespace of its own, since the default
//     product takes findings of any tool the account runs.
//   - Severity.Label: driftaudit critical (callers fail now) is HIGH ("must be addressed as a
//     priority"), not CRITICAL, which Security Hub reserves for issues to remediate immediately
//     before they escalate (an exposed credential in use, a compromise): a stage serving stale
//     routes is urgent, not an incident. warning is MEDIUM, info is LOW: Security Hub's
//     INFORMATIONAL means "no issue was found", which a driftaudit finding never says.
//     Severity.Original keeps driftaudit's own word.
//   - Types: the drift families (deployment, cors, usage-plans, custom-domains) are
//     "Software and Configuration Checks/Configuration Drift/FAMILY": none of the categories
//     Security Hub defines (Vulnerabilities, AWS Security Best Practices, Industry and Regulatory
//     Standards) says "the configuration the callers meet is not the one that was made", and
//     categories below a defined namespace may be the provider's own. Hygiene checks are
//     "Software and Configuration Checks/AWS Security Best Practices": they are the practices
//     AWS's own controls (APIGateway.1 to .5) and CIS-style benchmarks check, without claiming to
//     be one of those standards.
//   - Severity and Types go in FindingProviderFields too: after a finding is created, Security
//     Hub takes a provider's updates to them only there.
//   - CreatedAt and FirstObservedAt are when the finding was first seen (FirstSeen, from the
//     baseline; the run's time without one); UpdatedAt and LastObservedAt are the run's time. A
//     resolved finding was last observed by the baseline run.
//   - Title is the check's title; Description the message; Remediation.Recommendation.Text the
//     fix, cut at 512 characters with a pointer to the full report (Options.FullReport).
//   - Resources: one, the scope of the finding. A custom domain (its mappings) or a usage plan
//     is "Other" with its API Gateway ARN; else a stage of a REST API is AwsApiGatewayStage, the
//     API itself AwsApiGatewayRestApi, and an HTTP or WebSocket API's are AwsApiGatewayV2Stage
//     and AwsApiGatewayV2Api. What else locates the finding (path, method, base path, the API a
//     mapping targets) is in the resource's Details.Other.
//   - RecordState ACTIVE and Workflow NEW; a suppressed finding has Workflow SUPPRESSED and the
//     suppression's reason as its Note. A finding of the report's Resolved list (gone from a scope
//     the run read completely) is ARCHIVED, Workflow RESOLVED.
//   - ProductFields carry driftaudit's own words under "driftaudit/": check, family, severity,
//     change (new, standing, resolved) and suppression.
//
// Security Hub lets a provider set Workflow and Note only when it creates a finding: a finding
// suppressed after it was first imported keeps the workflow status it has in Security Hub (its
// ProductFields say driftaudit/suppression), and an archived one that comes back ACTIVE is set
// back to NEW by Security Hub itself.
package securityhub

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/securityhub/types"

	"github.com/apigw-drift/driftaudit/pkg/checks"
	"github.com/apigw-drift/driftaudit/pkg/inventory"
	"github.com/apigw-drift/driftaudit/pkg/report"
)

// The ASFF limits the mapping keeps to (AwsSecurityFinding, Recommendation, Note and Resource in
// the Security Hub API reference). Lengths are counted in bytes, which keeps them in characters too.
const (
	SchemaVersion        = "2018-10-08"
	MaxTitle             = 256
	MaxDescription       = 1024
	MaxRecommendation    = 512
	MaxNote              = 512
	MaxProductFieldValue = 2048
	MaxDetailValue       = 1024
)

// Resource types of the ASFF.
const (
	TypeRestAPI = "AwsApiGatewayRestApi"
	TypeStage   = "AwsApiGatewayStage"
	TypeV2API   = "AwsApiGatewayV2Api"
	TypeV2Stage = "AwsApiGatewayV2Stage"
	TypeOther   = "Other"
)

// Types of the ASFF finding types taxonomy (namespace/category/classifier).
const (
	TypeDrift   = "Software and Configuration Checks/Configuration Drift"
	TypeHygiene = "Software and Configuration Checks/AWS Security Best Practices"
)

// Options shape the findings.
type Options struct {
	// HubRegion is the region of the Security Hub the findings are imported into, the region of
	// their ProductArn; empty puts each finding in its own region's.
	HubRegion string
	// Partition is the AWS partition of the ARNs; empty derives it from each region.
	Partition string
	// FullReport says where the complete report is read, for remediations cut to fit, as it
	// reads after "the whole fix is": "in the JSON report (driftaudit scan --format json)",
	// "in S3, s3://bucket/key".
	FullReport string
}

// Findings maps the report to ASFF: its findings (ACTIVE), its suppressed findings (ACTIVE,
// Workflow SUPPRESSED) and the findings it resolved against its baseline (ARCHIVED), in that
// order, each Id once. A finding that cannot be a Security Hub finding (its account could not be
// read: Security Hub needs one) is left out and named in the error, never dropped silently.
func Findings(rep *report.Report, opts Options) ([]types.AwsSecurityFinding, error) {
	catalogue := map[string]checks.Check{}
	for _, c := range checks.All() {
		catalogue[c.ID] = c
	}
	m := mapper{opts: opts, now: rep.GeneratedAt.UTC(), catalogue: catalogue, seen: map[string]bool{}}
	if rep.Baseline != nil {
		t := rep.Baseline.GeneratedAt.UTC()
		m.baseline = &t
	}
	out := make([]types.AwsSecurityFinding, 0, len(rep.Findings)+len(rep.Suppressed)+len(rep.Resolved))
	for _, f := range rep.Findings {
		out = m.add(out, f, stateActive, "")
	}
	for _, s := range rep.Suppressed {
		out = m.add(out, s.Finding, stateSuppressed, s.Suppression)
	}
	for _, f := range rep.Resolved {
		out = m.add(out, f, stateResolved, "")
	}
	if len(m.noAccount) > 0 {
		return out, fmt.Errorf("%d findings left out of Security Hub: their account could not be read, and a Security Hub finding needs one (%s)",
			len(m.noAccount), strings.Join(m.noAccount, ", "))
	}
	return out, nil
}

type state int

const (
	stateActive state = iota
	stateSuppressed
	stateResolved
)

type mapper struct {
	opts      Options
	now       time.Time
	baseline  *time.Time
	catalogue map[string]checks.Check
	seen      map[string]bool
	noAccount []string
}

func (m *mapper) add(out []types.AwsSecurityFinding, f checks.Finding, st state, reason string) []types.AwsSecurityFinding {
	id := f.ID
	if id == "" {
		id = checks.Fingerprint(f)
	}
	if f.AccountID == "" {
		m.noAccount = append(m.noAccount, id+" ("+f.Check+")")
		return out
	}
	if m.seen[id] {
		return out
	}
	m.seen[id] = true
	return append(out, m.finding(id, f, st, reason))
}

func (m *mapper) finding(id string, f checks.Finding, st state, reason string) types.AwsSecurityFinding {
	hub := m.opts.HubRegion
	if hub == "" {
		hub = f.Region
	}
	part := m.opts.Partition
	if part == "" {
		part = PartitionOf(hub)
	}
	c, known := m.catalogue[f.Check]
	title := f.Check
	if known {
		title = c.Title
	}
	kinds := findingTypes(c.Family)
	label := severityLabel(f.Severity)

	first, last := m.now, m.now
	if f.FirstSeen != nil {
		first = f.FirstSeen.UTC()
	}
	if st == stateResolved && m.baseline != nil {
		last = *m.baseline
		if f.FirstSeen == nil {
			first = last
		}
	}
	if first.After(last) {
		first = last
	}
	sf := types.AwsSecurityFinding{
		SchemaVersion:   aws.String(SchemaVersion),
		Id:              aws.String(id),
		ProductArn:      aws.String(ProductARN(part, hub, f.AccountID)),
		ProductName:     aws.String("driftaudit"),
		GeneratorId:     aws.String("driftaudit/" + f.Check),
		AwsAccountId:    aws.String(f.AccountID),
		Region:          aws.String(hub),
		Types:           kinds,
		CreatedAt:       aws.String(timestamp(first)),
		UpdatedAt:       aws.String(timestamp(m.now)),
		FirstObservedAt: aws.String(timestamp(first)),
		LastObservedAt:  aws.String(timestamp(last)),
		Severity:        &types.Severity{Label: label, Original: aws.String(f.Severity.String())},
		FindingProviderFields: &types.FindingProviderFields{
			Severity: &types.FindingProviderSeverity{Label: label, Original: aws.String(f.Severity.String())},
			Types:    kinds,
		},
		Title:       aws.String(Cut(title, MaxTitle, "")),
		Description: aws.String(Cut(nonBlank(f.Message, title), MaxDescription, "")),
		Resources:   []types.Resource{m.resource(part, f)},
		RecordState: types.RecordStateActive,
		Workflow:    &types.Workflow{Status: types.WorkflowStatusNew},
		ProductFields: productFields(map[string]string{
			"check": f.Check, "family": c.Family, "severity": f.Severity.String(), "change": f.Change, "suppression": reason,
		}),
	}
	if strings.TrimSpace(f.Remediation) != "" {
		sf.Remediation = &types.Remediation{Recommendation: &types.Recommendation{Text: aws.String(m.recommendation(f.Remediation))}}
	}
	switch st {
	case stateSuppressed:
		sf.Workflow.Status = types.WorkflowStatusSuppressed
		sf.Note = &types.Note{
			Text:      aws.String(Cut(nonBlank(reason, "suppressed in driftaudit"), MaxNote, "")),
			UpdatedBy: aws.String("driftaudit"),
			UpdatedAt: aws.String(timestamp(m.now)),
		}
	case stateResolved:
		sf.RecordState = types.RecordStateArchived
		sf.Workflow.Status = types.WorkflowStatusResolved
		sf.ProductFields["driftaudit/change"] = "resolved"
	}
	return sf
}

// recommendation is the fix, cut to the limit with a pointer to where the whole of it is.
func (m *mapper) recommendation(fix string) string {
	where := m.opts.FullReport
	if where == "" || len(where) > 200 {
		where = "in the driftaudit JSON report"
	}
	return Cut(fix, MaxRecommendation, " … (cut: the whole fix is "+where+")")
}

// resource is the one resource a finding is about, at the scope it judges.
func (m *mapper) resource(part string, f checks.Finding) types.Resource {
	arn := func(path string) string { return "arn:" + part + ":apigateway:" + f.Region + "::" + path }
	other := map[string]string{}
	set := func(k, v string) {
		if v != "" {
			other[k] = Cut(v, MaxDetailValue, "")
		}
	}
	r := types.Resource{Partition: types.Partition(part), Region: aws.String(f.Region), Details: &types.ResourceDetails{}}
	v2 := f.APIType == inventory.TypeHTTP || f.APIType == inventory.TypeWebSocket
	switch {
	case f.Domain != "":
		r.Type, r.Id = aws.String(TypeOther), aws.String(arn("/domainnames/"+f.Domain))
		set("DomainName", f.Domain)
		set("BasePath", f.BasePath)
		set("ApiId", f.APIID)
		set("ApiName", f.APIName)
		set("ApiType", f.APIType)
		set("Stage", f.Stage)
	case f.UsagePlanID != "":
		r.Type, r.Id = aws.String(TypeOther), aws.String(arn("/usageplans/"+f.UsagePlanID))
		set("UsagePlanId", f.UsagePlanID)
		set("UsagePlanName", f.UsagePlanName)
		set("ApiId", f.APIID)
		set("ApiName", f.APIName)
		set("Stage", f.Stage)
	case f.Stage != "" && v2:
		r.Type, r.Id = aws.String(TypeV2Stage), aws.String(arn("/apis/"+f.APIID+"/stages/"+f.Stage))
		r.Details.AwsApiGatewayV2Stage = &types.AwsApiGatewayV2StageDetails{StageName: aws.String(f.Stage)}
	case v2:
		r.Type, r.Id = aws.String(TypeV2API), aws.String(arn("/apis/"+f.APIID))
		r.Details.AwsApiGatewayV2Api = &types.AwsApiGatewayV2ApiDetails{ApiId: aws.String(f.APIID), Name: optional(f.APIName), ProtocolType: aws.String(f.APIType)}
	case f.Stage != "":
		r.Type, r.Id = aws.String(TypeStage), aws.String(arn("/restapis/"+f.APIID+"/stages/"+f.Stage))
		r.Details.AwsApiGatewayStage = &types.AwsApiGatewayStageDetails{StageName: aws.String(f.Stage)}
	case f.APIID != "":
		r.Type, r.Id = aws.String(TypeRestAPI), aws.String(arn("/restapis/"+f.APIID))
		r.Details.AwsApiGatewayRestApi = &types.AwsApiGatewayRestApiDetails{Id: aws.String(f.APIID), Name: optional(f.APIName)}
	default:
		// No check reports without a location today; the region's API Gateway is the scope.
		r.Type, r.Id = aws.String(TypeOther), aws.String(arn("/restapis"))
	}
	if aws.ToString(r.Type) == TypeStage || aws.ToString(r.Type) == TypeV2Stage {
		set("ApiName", f.APIName)
	}
	set("Path", f.Path)
	set("Method", f.Method)
	if len(other) > 0 {
		r.Details.Other = other
	}
	return r
}

// ProductARN is the ARN of an account's default product in a region: the product that takes the
// account's own findings.
func ProductARN(partition, region, account string) string {
	return "arn:" + partition + ":securityhub:" + region + ":" + account + ":product/" + account + "/default"
}

// PartitionOf is the AWS partition of a region.
func PartitionOf(region string) string {
	for _, p := range []struct{ prefix, partition string }{
		{"cn-", "aws-cn"}, {"us-gov-", "aws-us-gov"}, {"us-isob-", "aws-iso-b"}, {"us-iso-", "aws-iso"},
		{"eu-isoe-", "aws-iso-e"}, {"us-isof-", "aws-iso-f"},
	} {
		if strings.HasPrefix(region, p.prefix) {
			return p.partition
		}
	}
	return "aws"
}

func severityLabel(s checks.Severity) types.SeverityLabel {
	switch s {
	case checks.Critical:
		return types.SeverityLabelHigh
	case checks.Warning:
		return types.SeverityLabelMedium
	default:
		return types.SeverityLabelLow
	}
}

// familyNames are the drift families as Types classifiers.
var familyNames = map[string]string{
	"deployment": "Deployment", "cors": "CORS", "usage-plans": "Usage Plans", "custom-domains": "Custom Domains",
}

func findingTypes(family string) []string {
	if family == "hygiene" {
		return []string{TypeHygiene}
	}
	if name, ok := familyNames[family]; ok {
		return []string{TypeDrift + "/" + name}
	}
	return []string{TypeDrift}
}

func productFields(fields map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range fields {
		if v != "" {
			out["driftaudit/"+k] = Cut(v, MaxProductFieldValue, "")
		}
	}
	return out
}

// timestamp is an ASFF timestamp: RFC 3339 in UTC, at most nine digits of fraction.
func timestamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return aws.String(s)
}

func nonBlank(s, fallback string) string {
	if strings.TrimSpace(s) == "" {
		return fallback
	}
	return s
}

// Cut keeps s within max bytes (and so max characters), never splitting a character: when it
// must cut, it ends the kept part with suffix, or "…" when suffix is empty.
func Cut(s string, max int, suffix string) string {
	if len(s) <= max {
		return s
	}
	if suffix == "" {
		suffix = "…"
	}
	if len(suffix) >= max {
		suffix = "…"
	}
	keep := max - len(suffix)
	for keep > 0 && !utf8.RuneStart(s[keep]) {
		keep--
	}
	return strings.TrimRight(s[:keep], " \t\n") + suffix
}
