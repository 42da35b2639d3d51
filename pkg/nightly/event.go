package nightly

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// Input narrows one run; an operator passes it when invoking the function by hand.
type Input struct {
	// Regions replaces the configured regions for this run.
	Regions []string `json:"regions,omitempty"`
	// DryRun scans and logs the report but publishes neither metrics nor the SNS message.
	DryRun bool `json:"dry_run,omitempty"`
}

// envelope is an EventBridge event, from Scheduler or from a rule; detail may carry an Input,
// as an object or (Scheduler's default) as a JSON string.
type envelope struct {
	Source     string          `json:"source"`
	DetailType string          `json:"detail-type"`
	Detail     json.RawMessage `json:"detail"`
}

// ParseEvent reads the invocation payload: an EventBridge scheduled event, a bare Input, or
// nothing. A hand-written Input with an unknown field is an error, so a typo never silently
// turns a dry run into a real one; events from AWS may carry fields this code does not know.
func ParseEvent(payload []byte) (Input, error) {
	var in Input
	trimmed := bytes.TrimSpace(payload)
	if len(trimmed) == 0 || string(trimmed) == "null" || string(trimmed) == "{}" {
		return in, nil
	}
	if trimmed[0] != '{' {
		return in, fmt.Errorf("invocation payload: want a JSON object (an EventBridge event or {\"regions\": [...], \"dry_run\": true}), got %s", preview(trimmed))
	}
	var env envelope
	if err := json.Unmarshal(trimmed, &env); err != nil {
		return in, fmt.Errorf("invocation payload: %w", err)
	}
	if env.Source == "" && env.DetailType == "" {
		return parseInput(trimmed, "invocation payload")
	}
	// An event carries its input in detail; options beside the envelope would be ignored, and a
	// dry run that is silently ignored is a real run.
	var top map[string]json.RawMessage
	if err := json.Unmarshal(trimmed, &top); err != nil {
		return in, fmt.Errorf("invocation payload: %w", err)
	}
	for _, k := range []string{"regions", "dry_run"} {
		if _, ok := top[k]; ok {
			return in, fmt.Errorf("invocation payload: %q beside an event's source or detail-type would be ignored: put it in detail, or send a bare {\"regions\": [...], \"dry_run\": true}", k)
		}
	}
	detail := bytes.TrimSpace(env.Detail)
	if len(detail) > 0 && detail[0] == '"' {
		var s string
		if err := json.Unmarshal(detail, &s); err != nil {
			return in, fmt.Errorf("event detail: %w", err)
		}
		detail = bytes.TrimSpace([]byte(s))
	}
	if len(detail) == 0 || string(detail) == "null" || string(detail) == "{}" {
		return in, nil
	}
	return parseInput(detail, "event detail")
}

// parseInput reads a hand-written Input: strictly (decodeStrict), and with no blank region name.
func parseInput(data []byte, what string) (Input, error) {
	in, err := decodeStrict[Input](data, what, "known fields: regions, dry_run")
	if err != nil {
		return Input{}, err
	}
	for _, r := range in.Regions {
		if strings.TrimSpace(r) == "" {
			return Input{}, fmt.Errorf("%s: an empty region name", what)
		}
	}
	return in, nil
}

// decodeStrict decodes data, one JSON value with no field T does not know, into a new T. Its
// errors start with what; a refusal of the decoder's ends with hint, if any, in parentheses.
func decodeStrict[T any](data []byte, what, hint string) (T, error) {
	var v T
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		if hint != "" {
			return *new(T), fmt.Errorf("%s: %w (%s)", what, err, hint)
		}
		return *new(T), fmt.Errorf("%s: %w", what, err)
	}
	if dec.More() {
		return *new(T), errors.New(what + ": more than one JSON value")
	}
	return v, nil
}

// preview is the start of a payload for an error message: at most 40 characters, on one line.
func preview(b []byte) string {
	const n = 40
	var out strings.Builder
	i := 0
	for _, r := range string(b) {
		if i++; i > n {
			out.WriteString("…")
			break
		}
		if unicode.IsControl(r) {
			q := strconv.QuoteRune(r)
			out.WriteString(q[1 : len(q)-1])
			continue
		}
		out.WriteRune(r)
	}
	return out.String()
}
