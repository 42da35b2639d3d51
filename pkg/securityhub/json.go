package securityhub

import (
	"bytes"
	"encoding/json"
	"io"

	"github.com/aws/aws-sdk-go-v2/service/securityhub/types"
)

// MarshalFinding is the finding's ASFF JSON as BatchImportFindings sends it: the SDK's member
// names, which are the ASFF's, and none of the members that are not set
// (TestJSONIsWhatTheSDKSends holds it to the SDK's own serializer).
func MarshalFinding(f types.AwsSecurityFinding) ([]byte, error) {
	v, err := asffValue(f)
	if err != nil {
		return nil, err
	}
	return encode(v, "")
}

// WriteJSON writes the findings as one indented JSON array: what
// `aws securityhub batch-import-findings --findings file://FILE` takes (at most 100 findings a
// call, all of one region's ProductArn).
func WriteJSON(w io.Writer, findings []types.AwsSecurityFinding) error {
	list := make([]any, 0, len(findings))
	for _, f := range findings {
		v, err := asffValue(f)
		if err != nil {
			return err
		}
		list = append(list, v)
	}
	b, err := encode(list, "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// asffValue is the finding as generic JSON, every member that is not set left out.
func asffValue(f types.AwsSecurityFinding) (any, error) {
	raw, err := json.Marshal(f)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	v, _ = prune(v)
	return v, nil
}

// prune drops nulls, empty strings (unset enums), and the objects and arrays left empty.
func prune(v any) (any, bool) {
	switch x := v.(type) {
	case nil:
		return nil, false
	case string:
		return x, x != ""
	case map[string]any:
		for k, e := range x {
			if p, keep := prune(e); keep {
				x[k] = p
			} else {
				delete(x, k)
			}
		}
		return x, len(x) > 0
	case []any:
		out := x[:0]
		for _, e := range x {
			if p, keep := prune(e); keep {
				out = append(out, p)
			}
		}
		return out, len(out) > 0
	}
	return v, true
}

func encode(v any, indent string) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", indent)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
