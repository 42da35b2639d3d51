package inventory

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Decode reads a saved inventory and rejects anything that is not one: unknown fields (a report
// passed by mistake), another schema version, trailing data, or regions without a name.
func Decode(r io.Reader) (*Inventory, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var inv Inventory
	if err := dec.Decode(&inv); err != nil {
		var syntax *json.SyntaxError
		if errors.As(err, &syntax) {
			return nil, fmt.Errorf("not valid JSON at byte %d: %w", syntax.Offset, err)
		}
		// The decoder's own "json: " prefix says nothing to whoever reads the error.
		return nil, fmt.Errorf("not a driftaudit inventory: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	if dec.More() {
		return nil, errors.New("not a driftaudit inventory: more than one JSON value")
	}
	if inv.SchemaVersion < 1 || inv.SchemaVersion > SchemaVersion {
		return nil, fmt.Errorf("inventory schema_version %d is not supported (this driftaudit reads 1 to %d)", inv.SchemaVersion, SchemaVersion)
	}
	for i, reg := range inv.Regions {
		if reg.Name == "" {
			return nil, fmt.Errorf("inventory region %d has no name", i)
		}
		if inv.SchemaVersion < 3 {
			// Versions 1 and 2 held one account, named at the top.
			inv.Regions[i].Account = inv.AccountID
			for j := range reg.Errors {
				inv.Regions[i].Errors[j].AccountID = inv.AccountID
			}
		}
		if inv.SchemaVersion == 1 {
			// Version 1 read neither HTTP nor WebSocket APIs, and mappings only with v1: say
			// so, so that no check judges what such a file cannot know, and so that an audit of
			// it is incomplete (unread is never empty, nor a complete run).
			if !slices.Contains(reg.Unread, OpGetApis) {
				inv.Regions[i].Unread = append(inv.Regions[i].Unread, OpGetApis)
			}
			inv.Regions[i].Errors = append(inv.Regions[i].Errors, ScanError{AccountID: inv.Regions[i].Account, Region: reg.Name, Operation: OpGetApis,
				Message: "not in this inventory: schema 1 was written before HTTP and WebSocket APIs and v2 API mappings were read; scan again to judge them"})
			for j := range reg.Domains {
				inv.Regions[i].Domains[j].MappingsSource = OpGetBasePathMappings
			}
		}
	}
	inv.SchemaVersion = SchemaVersion
	return &inv, nil
}

// Encode writes the inventory as indented JSON.
func (inv *Inventory) Encode(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(inv)
}
