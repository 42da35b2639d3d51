// Package checks holds the catalogue: each check is a pure function from one region's inventory
// to findings, with its metadata beside it, and All is the one registry that lists them.
package checks

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/apigw-drift/driftaudit/pkg/inventory"
)

// Severity orders findings; the zero value is no severity at all.
type Severity int

// The severities of CHECKS.md, least to most urgent.
const (
	Info Severity = iota + 1
	Warning
	Critical
)

var severityNames = map[Severity]string{Info: "info", Warning: "warning", Critical: "critical"}

func (s Severity) String() string {
	if n, ok := severityNames[s]; ok {
		return n
	}
	return fmt.Sprintf("severity(%d)", int(s))
}

// ParseSeverity reads "critical", "warning" or "info", in any case.
func ParseSeverity(s string) (Severity, error) {
	for sev, name := range severityNames {
		if strings.EqualFold(s, name) {
			return sev, nil
		}
	}
	return 0, fmt.Errorf("unknown severity %q (want critical, warning or info)", s)
}

// MarshalText writes the severity's name.
func (s Severity) MarshalText() ([]byte, error) {
	if _, ok := severityNames[s]; !ok {
		return nil, fmt.Errorf("cannot marshal %v", s)
	}
	return []byte(s.String()), nil
}

// UnmarshalText reads a severity's name.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// Finding is one thing wrong, located as precisely as the check can.
type Finding struct {
	// ID is the finding's fingerprint (Fingerprint), set when the report is built.
	ID       string   `json:"id,omitempty"`
	Check    string   `json:"check"`
	Severity Severity `json:"severity"`
	// AccountID is the account of the region; empty when it could not be read.
	AccountID string `json:"account_id"`
	Region    string `json:"region"`
	APIID     string `json:"api_id,omitempty"`
	APIName   string `json:"api_name,omitempty"`
	// APIType is REST, HTTP or WEBSOCKET for a finding about an API (or a mapping to one).
	APIType     string `json:"api_type,omitempty"`
	Stage       string `json:"stage,omitempty"`
	Path        string `json:"path,omitempty"`
	Method      string `json:"method,omitempty"`
	Domain      string `json:"domain,omitempty"`
	BasePath    string `json:"base_path,omitempty"`
	UsagePlanID string `json:"usage_plan_id,omitempty"`
	// UsagePlanName is the usage plan's name, for people; the id locates the finding.
	UsagePlanName string `json:"usage_plan_name,omitempty"`
	Message       string `json:"message"`
	Remediation   string `json:"remediation"`
	// Change and FirstSeen compare the finding with a baseline report (a previous run): "new",
	// or "standing" since FirstSeen. Empty without a baseline.
	Change    string     `json:"change,omitempty"`
	FirstSeen *time.Time `json:"first_seen,omitempty"`
}

// Fingerprint identifies a finding across runs: a hash of its account, region, check and
// location (API, stage, path, method, domain, base path, usage plan), never of its message or
// severity, which may change while the drift stays the same. 32 hex digits.
func Fingerprint(f Finding) string {
	h := sha256.New()
	for _, part := range []string{"driftaudit-finding-v1", f.AccountID, f.Region, f.Check, f.APIID, f.Stage, f.Path, f.Method, f.Domain, f.BasePath, f.UsagePlanID} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}

// Config holds the thresholds and names the checks take; the zero value is not valid, start
// from DefaultConfig.
type Config struct {
	// CORSTag is the REST API tag whose value "true" declares that the API is called from
	// browsers cross-origin.
	CORSTag string `json:"cors_tag"`
	// AllowedEndpointTypes lists the endpoint types (EDGE, REGIONAL, PRIVATE) an API may have;
	// empty turns endpoint-type-not-allowed off.
	AllowedEndpointTypes []string `json:"allowed_endpoint_types,omitempty"`
}

// DefaultConfig is the configuration CHECKS.md describes.
func DefaultConfig() Config { return Config{CORSTag: "cors"} }

// Check is one entry of the catalogue.
type Check struct {
	ID     string `json:"id"`
	Family string `json:"family"`
	Title  string `json:"title"`
	// Severity is the most severe level the check reports at; Levels says when it reports at
	// each.
	Severity    Severity `json:"severity"`
	Levels      string   `json:"levels"`
	LooksAt     string   `json:"looks_at"`
	Remediation string   `json:"remediation"`
	// Peers names the other tools that check the same thing ("" when none does).
	Peers string `json:"peers,omitempty"`
	// perAPI says the check judges each API on its own: its findings about an API depend only
	// on that API's own data (never on another API, a usage plan, a key or a domain), so it can
	// run on each API as soon as that API is read (RunAPI). Checks without it see the whole
	// region.
	perAPI bool
	// offWithout, when set, names what cfg lacks for the check to judge anything ("" when it
	// has it): the check is then not run (SelectFor).
	offWithout func(cfg Config) string
	run        func(r *inventory.Region, cfg Config) []Finding
}

// Run applies the check to one region.
func (c Check) Run(r *inventory.Region, cfg Config) []Finding { return c.run(r, cfg) }

// All is the catalogue, in the order of CHECKS.md. It returns a new slice each call.
func All() []Check {
	return []Check{
		undeployedChanges,
		stageBehindLatest,
		stageWithoutDeployment,
		neverDeployed,
		missingOptions,
		optionsRequiresAuth,
		optionsMissingCORSHeaders,
		unkeyedUsagePlan,
		apiKeyWithoutPlan,
		usagePlanDanglingStage,
		basePathGap,
		accessLoggingDisabled,
		executionLoggingDisabled,
		detailedMetricsDisabled,
		tracingDisabled,
		wafNotAttached,
		clientCertificateMissing,
		cacheNotEncrypted,
		publicMethodWithoutAuth,
		secretsInStageVariables,
		endpointTypeNotAllowed,
		domainTLSOutdated,
	}
}

// SplitByScope separates the checks that judge each API on its own from those that see the
// whole region.
func SplitByScope(cs []Check) (perAPI, regionWide []Check) {
	for _, c := range cs {
		if c.perAPI {
			perAPI = append(perAPI, c)
		} else {
			regionWide = append(regionWide, c)
		}
	}
	return perAPI, regionWide
}

// RunAPI applies the per-API checks among checks to one API of region, as if the region held
// only that API: the same findings about it that Run gives on the whole region. It lets a
// collection judge an API as soon as it is read and then drop what only those checks needed.
func RunAPI(account, region string, api *inventory.API, checks []Check, cfg Config) []Finding {
	one := inventory.Region{Account: account, Name: region, APIs: []inventory.API{*api}}
	var findings []Finding
	for _, c := range checks {
		if !c.perAPI {
			continue
		}
		for _, f := range c.Run(&one, cfg) {
			f.Check, f.AccountID, f.Region = c.ID, account, region
			if f.APIID != "" && f.APIType == "" {
				f.APIType = inventory.TypeREST
			}
			findings = append(findings, f)
		}
	}
	return findings
}

// Run applies every check to every region of inv and returns the findings, worst first.
func Run(inv *inventory.Inventory, checks []Check, cfg Config) []Finding {
	findings := []Finding{}
	for i := range inv.Regions {
		types := apiTypes(&inv.Regions[i])
		for _, c := range checks {
			for _, f := range c.Run(&inv.Regions[i], cfg) {
				f.Check = c.ID
				f.AccountID, f.Region = inv.Regions[i].Account, inv.Regions[i].Name
				if f.APIID != "" && f.APIType == "" {
					f.APIType = types[f.APIID]
				}
				findings = append(findings, f)
			}
		}
	}
	Sort(findings)
	return findings
}

// Sort orders findings worst first, then by where they are, so that output is stable.
func Sort(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.Severity != b.Severity {
			return a.Severity > b.Severity
		}
		for _, p := range [][2]string{
			{a.AccountID, b.AccountID}, {a.Region, b.Region}, {a.APIName, b.APIName}, {a.APIID, b.APIID}, {a.Stage, b.Stage},
			{a.Path, b.Path}, {a.Method, b.Method}, {a.Domain, b.Domain}, {a.BasePath, b.BasePath},
			// Messages name usage plans by name; their ids are random and come last.
			{a.Check, b.Check}, {a.Message, b.Message}, {a.UsagePlanID, b.UsagePlanID},
		} {
			if p[0] != p[1] {
				return p[0] < p[1]
			}
		}
		return false
	})
}
