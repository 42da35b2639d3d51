package nightly

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
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
		return in, strict(trimmed, &in, "invocation payload")
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
	return in, strict(detail, &in, "event detail")
}

func strict(data []byte, in *Input, what string) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(in); err != nil {
		return fmt.Errorf("%s: %w (known fields: regions, dry_run)", what, err)
	}
	if dec.More() {
		return errors.New(what + ": more than one JSON value")
	}
	for _, r := range in.Regions {
		if strings.TrimSpace(r) == "" {
			return fmt.Errorf("%s: an empty region name", what)
		}
	}
	return nil
}

func preview(b []byte) string {
	const n = 40
	if len(b) > n {
		return string(b[:n]) + "…"
	}
	return string(b)
}
