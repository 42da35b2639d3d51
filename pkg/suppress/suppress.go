// Package suppress silences findings a team has decided to live with, and says so: from the
// drift-auditor:ignore tag on a REST API, or from a suppression file whose entries carry a
// reason and an optional expiry date after which the finding comes back.
package suppress

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/apigw-drift/driftaudit/pkg/checks"
)

// TagName is the REST API tag whose value lists the check ids (or "all") to ignore on it.
const TagName = "drift-auditor:ignore"

// Entry is one suppression of the file.
type Entry struct {
	// Check is a check id, or "all".
	Check string `json:"check" yaml:"check"`
	// API is an API id or name; shell globs (*, ?, [..]) allowed; "*" also matches findings
	// that concern no API (usage plans, custom domains).
	API string `json:"api" yaml:"api"`
	// Stage, when set, limits the entry to findings on that stage (globs allowed).
	Stage string `json:"stage,omitempty" yaml:"stage,omitempty"`
	// Account, when set, limits the entry to findings in that account (globs allowed), for an
	// audit of several accounts.
	Account string `json:"account,omitempty" yaml:"account,omitempty"`
	// Reason is mandatory: a suppression nobody can explain is a finding hidden.
	Reason string `json:"reason" yaml:"reason"`
	// Expires is a date (YYYY-MM-DD); from that day on, the entry no longer applies.
	Expires string `json:"expires,omitempty" yaml:"expires,omitempty"`

	expires time.Time
	line    int
}

// File is a suppression file: {"suppressions": [...]}, in YAML or JSON.
type File struct {
	Suppressions []Entry `json:"suppressions" yaml:"suppressions"`
}

// Set is a validated list of entries.
type Set struct {
	source  string
	entries []Entry
}

// Parse reads a suppression file (YAML, of which JSON is a subset) and validates every entry
// against the catalogue. name is used in errors.
func Parse(name string, r io.Reader, known []checks.Check) (*Set, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read suppressions %s: %w", name, err)
	}
	var root yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var f File
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("suppressions %s: not YAML or JSON: %s", name, oneLine(err))
	}
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("suppressions %s: %s", name, oneLine(err))
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("suppressions %s: more than one YAML document; put every entry under one suppressions: list", name)
	}
	lines := entryLines(&root)
	ids := map[string]bool{"all": true}
	for _, c := range known {
		ids[c.ID] = true
	}
	s := &Set{source: name}
	for i, e := range f.Suppressions {
		if i < len(lines) {
			e.line = lines[i]
		}
		where := fmt.Sprintf("suppressions %s, entry %d (line %d)", name, i+1, e.line)
		switch {
		case !ids[e.Check]:
			return nil, fmt.Errorf("%s: unknown check %q (see driftaudit checks)", where, e.Check)
		case strings.TrimSpace(e.API) == "":
			return nil, fmt.Errorf("%s: api is required (an API id or name, globs allowed, or * for all)", where)
		case strings.TrimSpace(e.Reason) == "":
			return nil, fmt.Errorf("%s: reason is required", where)
		}
		for _, g := range []string{e.API, e.Stage, e.Account} {
			if _, err := path.Match(g, ""); err != nil {
				return nil, fmt.Errorf("%s: bad pattern %q: %w", where, g, err)
			}
		}
		if e.Expires != "" {
			t, err := time.Parse(time.DateOnly, e.Expires)
			if err != nil {
				return nil, fmt.Errorf("%s: expires %q is not a date (YYYY-MM-DD)", where, e.Expires)
			}
			e.expires = t
		}
		s.entries = append(s.entries, e)
	}
	return s, nil
}

// oneLine is a YAML error as one line: yaml.v3 puts each unmarshal error on a line of its own
// and quotes the offending value as it is.
func oneLine(err error) string {
	msg := err.Error()
	var te *yaml.TypeError
	if errors.As(err, &te) {
		msg = "yaml: " + strings.Join(te.Errors, "; ")
	}
	return strings.NewReplacer("\r", `\r`, "\n", `\n`).Replace(msg)
}

// entryLines finds the line of each entry, for errors a person can act on.
func entryLines(root *yaml.Node) []int {
	if len(root.Content) == 0 {
		return nil
	}
	doc := root.Content[0]
	for i := 0; i+1 < len(doc.Content); i += 2 {
		if doc.Content[i].Value == "suppressions" {
			var lines []int
			for _, e := range doc.Content[i+1].Content {
				lines = append(lines, e.Line)
			}
			return lines
		}
	}
	return nil
}

// Suppressed is a finding left out of the findings, with why.
type Suppressed struct {
	checks.Finding
	Suppression string `json:"suppression"`
}

// Outcome is what Apply decided.
type Outcome struct {
	Findings   []checks.Finding
	Suppressed []Suppressed
	// Warnings are for the report: expired entries whose findings are back.
	Warnings []string
}

// Apply splits findings into those that stand and those suppressed by the tag (tags maps
// TagKey to the API's tags) or by s (nil for none), as of now.
func Apply(findings []checks.Finding, tags map[string]map[string]string, s *Set, now time.Time) Outcome {
	out := Outcome{Findings: findings, Suppressed: []Suppressed{}}
	if findings == nil {
		out.Findings = []checks.Finding{}
	}
	// kept is the number of findings that stand so far; as long as every finding stands
	// unchanged, out.Findings is the input itself, and a large report is never held twice. The
	// first finding suppressed or changed starts a copy: the input is never modified.
	kept, copied := 0, false
	keep := func(i int, f checks.Finding, changed bool) {
		if !copied && (changed || kept != i) {
			out.Findings = append(make([]checks.Finding, 0, len(findings)), findings[:kept]...)
			copied = true
		}
		if copied {
			out.Findings = append(out.Findings, f)
		}
		kept++
	}
	expiredUsed := map[int]bool{}
	for i, f := range findings {
		if why, ok := byTag(f, tags); ok {
			out.Suppressed = append(out.Suppressed, Suppressed{f, why})
			continue
		}
		why, expired := "", -1
		if s != nil {
			for i, e := range s.entries {
				if !e.matches(f) {
					continue
				}
				if !e.expires.IsZero() && !now.Before(e.expires) {
					expired = i
					continue
				}
				why = fmt.Sprintf("%s entry %d: %s", s.source, i+1, e.Reason)
				if e.Expires != "" {
					why += " (until " + e.Expires + ")"
				}
				break
			}
		}
		if why != "" {
			out.Suppressed = append(out.Suppressed, Suppressed{f, why})
			continue
		}
		if expired >= 0 {
			e := s.entries[expired]
			f.Message += fmt.Sprintf(" [the suppression of this finding expired on %s: %s]", e.Expires, e.Reason)
			expiredUsed[expired] = true
		}
		keep(i, f, expired >= 0)
	}
	if !copied {
		out.Findings = out.Findings[:kept]
	}
	for i := range len(s.entriesOrNil()) {
		if expiredUsed[i] {
			e := s.entries[i]
			out.Warnings = append(out.Warnings, fmt.Sprintf("suppression %s entry %d (check %s, api %s) expired on %s; its findings are reported again", s.source, i+1, e.Check, e.API, e.Expires))
		}
	}
	return out
}

func (s *Set) entriesOrNil() []Entry {
	if s == nil {
		return nil
	}
	return s.entries
}

// Len is the number of entries.
func (s *Set) Len() int { return len(s.entriesOrNil()) }

func byTag(f checks.Finding, tags map[string]map[string]string) (string, bool) {
	if f.APIID == "" {
		return "", false
	}
	v, ok := tags[TagKey(f.AccountID, f.Region, f.APIID)][TagName]
	if !ok {
		return "", false
	}
	for _, id := range strings.Split(v, ",") {
		if id = strings.TrimSpace(id); id == f.Check || id == "all" {
			return fmt.Sprintf("tag %s=%s on the API", TagName, v), true
		}
	}
	return "", false
}

// TagKey is the key of an API's tags in the map Apply takes.
func TagKey(account, region, apiID string) string { return account + "\x00" + region + "\x00" + apiID }

func (e Entry) matches(f checks.Finding) bool {
	if e.Check != "all" && e.Check != f.Check {
		return false
	}
	if e.Account != "" {
		if ok, _ := path.Match(e.Account, f.AccountID); !ok {
			return false
		}
	}
	apiOK := e.API == "*"
	for _, v := range []string{f.APIID, f.APIName} {
		if ok, _ := path.Match(e.API, v); ok && v != "" {
			apiOK = true
		}
	}
	if !apiOK {
		return false
	}
	if e.Stage != "" {
		ok, _ := path.Match(e.Stage, f.Stage)
		return ok && f.Stage != ""
	}
	return true
}

// MarshalJSON keeps the embedded finding's fields flat beside the suppression.
func (s Suppressed) MarshalJSON() ([]byte, error) {
	b, err := json.Marshal(s.Finding)
	if err != nil {
		return nil, err
	}
	extra, err := json.Marshal(map[string]string{"suppression": s.Suppression})
	if err != nil {
		return nil, err
	}
	return append(append(b[:len(b)-1], ','), extra[1:]...), nil
}

// Load reads and validates the suppression file at path.
func Load(path string, known []checks.Check) (*Set, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read suppressions: %w", err)
	}
	defer f.Close()
	return Parse(path, f, known)
}
