package inventory_test

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/apigw-drift/driftaudit/pkg/checks"
	"github.com/apigw-drift/driftaudit/pkg/inventory"
	"github.com/apigw-drift/driftaudit/pkg/report"
)

// FuzzDecodeInventory feeds saved inventories to Decode and, when one decodes, every check and
// every renderer, as `driftaudit audit --inventory FILE` does.
func FuzzDecodeInventory(f *testing.F) {
	for _, seed := range []string{
		`{"schema_version":1,"collected_at":"2026-11-27T03:00:00Z","regions":[]}`,
		`{"schema_version":1,"account_id":"123456789012","collected_at":"2026-11-27T03:00:00+01:00","regions":[{"name":"eu-west-1",` +
			`"apis":[{"id":"a1","name":"orders","tags":{"cors":"true"},"resources":[{"id":"r1","path":"/{proxy+}","methods":{"GET":{"authorization_type":"NONE"}}}],` +
			`"stages":[{"name":"prod","deployment_id":"d1"}],"deployments":[{"id":"d1","created_date":"2026-11-01T00:00:00Z",` +
			`"summary":{"/{proxy+}":{"GET":{"authorization_type":"AWS_IAM","api_key_required":true}}}}]}],` +
			`"usage_plans":[{"id":"p1","name":"basic","api_stages":[{"api_id":"a1","stage":"prod"}],"key_ids":[]}],"api_keys":null,` +
			`"domains":[{"name":"api.example.com","mappings":[{"base_path":"(none)","api_id":"a1"}]}]}]}`,
		`{"schema_version":2,"regions":[]}`,
		`{"schema_version":1,"regions":[{"name":""}]}`,
		`{"schema_version":1,"regions":[{"name":"eu-west-1","apis":[null,{"resources":[{"methods":null}]}]}]}`,
		`{"schema_version":1,"findings":[]}`,
	} {
		f.Add([]byte(seed))
	}
	now := time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, data []byte) {
		inv, err := inventory.Decode(bytes.NewReader(data))
		if err != nil {
			if msg := err.Error(); strings.TrimSpace(msg) == "" || strings.ContainsAny(msg, "\n\r") {
				t.Fatalf("error is empty or not one line: %q", msg)
			}
			if inv != nil {
				t.Fatalf("error %v with an inventory", err)
			}
			return
		}
		var first bytes.Buffer
		if err := inv.Encode(&first); err != nil {
			t.Fatalf("a decoded inventory does not encode: %v", err)
		}
		again, err := inventory.Decode(bytes.NewReader(first.Bytes()))
		if err != nil {
			t.Fatalf("an encoded inventory does not decode: %v\n%s", err, first.Bytes())
		}
		var second bytes.Buffer
		if err := again.Encode(&second); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(first.Bytes(), second.Bytes()) {
			t.Fatalf("Decode→Encode→Decode→Encode is not stable:\n%s\nthen\n%s", first.Bytes(), second.Bytes())
		}

		all := checks.All()
		findings := checks.Run(inv, all, checks.DefaultConfig())
		for _, fd := range findings {
			if fd.Check == "" || fd.Message == "" || fd.Remediation == "" || fd.Severity < checks.Info || fd.Severity > checks.Critical {
				t.Fatalf("incomplete finding %+v", fd)
			}
		}
		rep := report.Build(inv, all, findings, now)
		for name, write := range map[string]func(io.Writer) error{"JSON": rep.WriteJSON, "text": rep.WriteText, "Markdown": rep.WriteMarkdown} {
			if err := write(io.Discard); err != nil {
				t.Fatalf("%s report: %v", name, err)
			}
		}
	})
}
