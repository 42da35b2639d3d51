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
	"slices"
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

// Set is a validated list of entries.
type Set struct {
	source  string
	entries []Entry
}

// keys are the keys of an entry, in the order errors list them, each with what its value is.
var keys = []struct{ name, want string }{
	{"check", "a check id, or all"},
	{"api", "an API id or name, globs allowed, or * for all"},
	{"stage", "a stage name, globs allowed"},
	{"account", "an account id, globs allowed"},
	{"reason", "a sentence saying why"},
	{"expires", "a date (YYYY-MM-DD)"},
}

// validKeys lists the keys of an entry for an error: "check, api, stage, account, reason, expires".
func validKeys() string {
	names := make([]string, len(keys))
	for i, k := range keys {
		names[i] = k.name
	}
	return strings.Join(names, ", ")
}

// Parse reads a suppression file (YAML, of which JSON is a subset) and validates every entry
// against the catalogue. name is used in errors, which say where (the entry, 1-based, and its
// line) and what was expected, in words.
func Parse(name string, r io.Reader, known []checks.Check) (*Set, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read suppressions %s: %w", name, err)
	}
	// The file is read as a tree of nodes, not decoded into Go values: every error can then
	// name the entry, the line and the key, and none names a Go type.
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var root yaml.Node
	if err := dec.Decode(&root); errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: the file is empty; write suppressions: followed by a list of entries (%s)", name, validKeys())
	} else if err != nil {
		return nil, fmt.Errorf("%s: not YAML or JSON: %s", name, oneLine(err))
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: more than one YAML document; put every entry under one suppressions: list", name)
	}
	list, err := suppressionList(name, &root)
	if err != nil {
		return nil, err
	}
	ids := map[string]bool{"all": true}
	for _, c := range known {
		ids[c.ID] = true
	}
	s := &Set{source: name}
	for i, n := range list {
		e, err := parseEntry(name, i+1, n, ids)
		if err != nil {
			return nil, err
		}
		s.entries = append(s.entries, e)
	}
	return s, nil
}

// suppressionList finds the entries' nodes: the document must be a mapping whose one key is
// suppressions, and its value a list (or nothing, for no entries).
func suppressionList(name string, root *yaml.Node) ([]*yaml.Node, error) {
	doc := root
	if doc.Kind == yaml.DocumentNode && len(doc.Content) > 0 {
		doc = doc.Content[0]
	}
	doc = resolve(doc)
	if doc.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s: line %d: expected suppressions: followed by a list of entries, found %s", name, doc.Line, kind(doc))
	}
	var list *yaml.Node
	listLine := 0
	for i := 0; i+1 < len(doc.Content); i += 2 {
		k := doc.Content[i]
		switch {
		case k.Value != "suppressions":
			return nil, fmt.Errorf("%s: line %d: unknown key %q; valid keys: suppressions", name, k.Line, k.Value)
		case list != nil:
			return nil, fmt.Errorf("%s: line %d: key suppressions given twice (first on line %d); put every entry under one suppressions: list", name, k.Line, listLine)
		}
		list, listLine = resolve(doc.Content[i+1]), k.Line
	}
	switch {
	case list == nil:
		return nil, fmt.Errorf("%s: line %d: expected suppressions: followed by a list of entries, found none", name, doc.Line)
	case isNull(list):
		return nil, nil
	case list.Kind != yaml.SequenceNode:
		return nil, fmt.Errorf("%s: line %d: suppressions must be a list of entries (each with %s), found %s", name, listLine, validKeys(), kind(list))
	}
	return list.Content, nil
}

// parseEntry reads and validates entry number (1-based) of the file.
func parseEntry(name string, number int, n *yaml.Node, ids map[string]bool) (Entry, error) {
	n = resolve(n)
	e := Entry{line: n.Line}
	at := func(line int) string { return fmt.Sprintf("%s: entry %d (line %d)", name, number, line) }
	if n.Kind != yaml.MappingNode {
		return e, fmt.Errorf("%s: expected an entry with keys %s, found %s", at(n.Line), validKeys(), kind(n))
	}
	fields := map[string]*string{"check": &e.Check, "api": &e.API, "stage": &e.Stage, "account": &e.Account, "reason": &e.Reason, "expires": &e.Expires}
	lines := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := resolve(n.Content[i]), resolve(n.Content[i+1])
		field, ok := fields[k.Value]
		switch {
		case k.Kind != yaml.ScalarNode:
			return e, fmt.Errorf("%s: expected a key (%s), found %s", at(k.Line), validKeys(), kind(k))
		case !ok:
			return e, fmt.Errorf("%s: unknown key %q; valid keys: %s", at(k.Line), k.Value, validKeys())
		case lines[k.Value] > 0:
			return e, fmt.Errorf("%s: key %s given twice (first on line %d)", at(k.Line), k.Value, lines[k.Value])
		case v.Kind != yaml.ScalarNode:
			return e, fmt.Errorf("%s: %s must be %s, found %s", at(k.Line), k.Value, want(k.Value), kind(v))
		}
		lines[k.Value] = k.Line
		if !isNull(v) {
			*field = v.Value
		}
	}
	line := func(key string) int {
		if l := lines[key]; l > 0 {
			return l
		}
		return e.line
	}
	switch {
	case strings.TrimSpace(e.Check) == "":
		return e, fmt.Errorf("%s: check is required (%s)", at(line("check")), want("check"))
	case !ids[e.Check]:
		return e, fmt.Errorf("%s: unknown check %q (see driftaudit checks)", at(line("check")), e.Check)
	case strings.TrimSpace(e.API) == "":
		return e, fmt.Errorf("%s: api is required (%s)", at(line("api")), want("api"))
	case strings.TrimSpace(e.Reason) == "":
		return e, fmt.Errorf("%s: reason is required (%s)", at(line("reason")), want("reason"))
	}
	for _, key := range []string{"api", "stage", "account"} {
		if _, err := path.Match(*fields[key], ""); err != nil {
			return e, fmt.Errorf("%s: %s: bad pattern %q: %w", at(line(key)), key, *fields[key], err)
		}
	}
	if e.Expires != "" {
		t, err := time.Parse(time.DateOnly, e.Expires)
		if err != nil {
			return e, fmt.Errorf("%s: expires %q is not a date (YYYY-MM-DD)", at(line("expires")), e.Expires)
		}
		e.expires = t
	}
	return e, nil
}

// want says in words what the value of key is.
func want(key string) string {
	for _, k := range keys {
		if k.name == key {
			return k.want
		}
	}
	return "a string"
}

// resolve follows an alias (*name) to the node it names, without expanding anything below it.
func resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n.Kind == yaml.AliasNode && n.Alias != nil && i < 100; i++ {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.Tag == "!!null" }

// kind names a node's kind as a person would: "a list", "a mapping", "null", "a number".
func kind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "a mapping"
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!null":
			return "null"
		case "!!int", "!!float":
			return "a number"
		case "!!bool":
			return "true or false"
		}
		return fmt.Sprintf("the text %q", n.Value)
	}
	return "nothing"
}

// oneLine is a YAML syntax error as one line.
func oneLine(err error) string {
	return strings.NewReplacer("\r", `\r`, "\n", `\n`).Replace(err.Error())
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

// Stale lists, as report warnings, the entries that match none of the findings of a complete
// scan: those that stand (expired suppressions' included) and those suppressed, by the file or
// by the tag. An entry whose check did not run (not in ran) could not have matched and is not
// stale. Only a complete scan can tell: in an incomplete one, the finding may be in what was
// not read, and the caller says nothing.
func (s *Set) Stale(findings []checks.Finding, suppressed []Suppressed, ran []checks.Check) []string {
	var out []string
	for i, e := range s.entriesOrNil() {
		if e.Check != "all" && !slices.ContainsFunc(ran, func(c checks.Check) bool { return c.ID == e.Check }) {
			continue
		}
		if slices.ContainsFunc(findings, e.matches) || slices.ContainsFunc(suppressed, func(sf Suppressed) bool { return e.matches(sf.Finding) }) {
			continue
		}
		what := "check " + e.Check + ", api " + e.API
		for _, p := range [][2]string{{"stage", e.Stage}, {"account", e.Account}} {
			if p[1] != "" {
				what += ", " + p[0] + " " + p[1]
			}
		}
		out = append(out, fmt.Sprintf("stale suppression: entry %d (line %d) in %s matched no finding (%s); remove it if what it silenced is gone", i+1, e.line, s.source, what))
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
