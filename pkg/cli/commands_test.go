package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/apigw-drift/driftaudit/internal/awsemu"
	goldenfile "github.com/apigw-drift/driftaudit/internal/golden"
	"github.com/apigw-drift/driftaudit/pkg/checks"
	"github.com/apigw-drift/driftaudit/pkg/cli"
)

// helpPages are the commands whose help is kept as golden files (and in the README).
var helpPages = [][]string{{}, {"scan"}, {"inventory"}, {"explain"}, {"checks"}, {"version"}}

func helpName(page []string) string {
	if len(page) == 0 {
		return "driftaudit"
	}
	return "driftaudit " + strings.Join(page, " ")
}

// TestHelpTexts holds every command's help to its golden file (-update rewrites them), and
// checks that the three ways of asking for it agree: help COMMAND, COMMAND -h, COMMAND --help.
func TestHelpTexts(t *testing.T) {
	for _, page := range helpPages {
		t.Run(helpName(page), func(t *testing.T) {
			code, out, errOut := run(t, append([]string{"help"}, page...)...)
			if code != cli.ExitOK || errOut != "" {
				t.Fatalf("help: exit %d, stderr %q", code, errOut)
			}
			for _, flag := range []string{"-h", "--help"} {
				c, o, _ := run(t, append(append([]string{}, page...), flag)...)
				if c != cli.ExitOK || o != out {
					t.Errorf("%s %s: exit %d, and its help differs from 'help %s'", helpName(page), flag, c, strings.Join(page, " "))
				}
			}
			for _, want := range []string{"Usage:\n", "Examples:\n", "Exit status:\n", "  -h, --help"} {
				if len(page) > 0 && page[0] == "version" && want != "Usage:\n" && want != "  -h, --help" {
					continue // version has neither examples nor exit statuses to tell
				}
				if !strings.Contains(out, want) {
					t.Errorf("the help does not have %q", strings.TrimSpace(want))
				}
			}
			for i, line := range strings.Split(out, "\n") {
				if len([]rune(line)) > 100 && !strings.HasPrefix(line, "  driftaudit ") {
					t.Errorf("line %d is %d columns, over 100: %q", i+1, len([]rune(line)), line)
				}
			}
			goldenfile.Compare(t, "help/"+strings.ReplaceAll(helpName(page), " ", "-")+".txt", []byte(out), *update)
		})
	}
	// No command at all: the help, on stderr, as a usage error.
	code, out, errOut := run(t)
	if _, want, _ := run(t, "help"); code != cli.ExitUsage || out != "" || errOut != want {
		t.Errorf("driftaudit alone: exit %d, stdout %q; want exit 2 and the help on stderr", code, out)
	}
}

// TestHelpListsEveryFlag: every flag of every command is in its help, under a purpose heading,
// with its default when it has one.
func TestHelpListsEveryFlag(t *testing.T) {
	for _, tc := range []struct {
		page  []string
		flags map[string]string // flag: the default help must show ("" for none)
	}{
		{[]string{"scan"}, map[string]string{"--region": "", "--profile": "", "--rate": "(default 10)", "--fail-on": "(default critical)",
			"--min-severity": "(default info)", "--output": "", "--progress": "(default auto)", "--quiet": "", "--cors-tag": `(default "cors")`,
			"--max-accounts-in-flight": "(default 8)", "--timeout": "(default: no limit)"}},
		{[]string{"inventory"}, map[string]string{"--region": "", "--profile": "", "--progress": "(default auto)", "--quiet": ""}},
		{[]string{"explain"}, map[string]string{"--method": `(default "GET")`, "--header": "", "--origin": "", "--profile": "", "--snapshot": ""}},
	} {
		_, help, _ := run(t, append(tc.page, "--help")...)
		out := help[strings.Index(help, " flags:\n"):] // past the examples
		for flag, def := range tc.flags {
			// A flag's entry starts its line: "      --flag" or "  -q, --flag".
			loc := regexp.MustCompile(`(?m)^  (-\w, |    )` + regexp.QuoteMeta(flag) + ` `).FindStringIndex(out)
			i := -1
			if loc != nil {
				i = loc[0]
			}
			if i < 0 {
				t.Errorf("%v help lacks %s", tc.page, flag)
				continue
			}
			next := strings.Index(out[i+1:], "\n      --")
			entry := out[i:]
			if next >= 0 {
				entry = out[i : i+1+next]
			}
			if def != "" && !strings.Contains(strings.Join(strings.Fields(entry), " "), def) {
				t.Errorf("%v help of %s does not show %s: %q", tc.page, flag, def, entry)
			}
			if heading := strings.LastIndex(out[:i], " flags:\n"); heading < 0 {
				t.Errorf("%v help lists %s under no heading", tc.page, flag)
			}
		}
	}
	if _, out, _ := run(t, "inventory", "--help"); strings.Contains(out, "--cors-tag") || strings.Contains(out, "--fail-on") {
		t.Error("inventory judges nothing: its help must not offer check or verdict flags")
	}
}

// TestVersion: version, --version and -v say the same, from the build information.
func TestVersion(t *testing.T) {
	_, text, _ := run(t, "version")
	for _, args := range [][]string{{"--version"}} {
		if code, out, _ := run(t, args...); code != cli.ExitOK || out != text {
			t.Errorf("%v: exit %d, %q; want %q", args, code, out, text)
		}
	}
	code, js, _ := run(t, "version", "--format", "json")
	var v struct {
		Version, Commit, Go string
		CommitTime          string `json:"commit_time"`
	}
	if err := json.Unmarshal([]byte(js), &v); err != nil || code != cli.ExitOK {
		t.Fatalf("version --format json: exit %d, %v: %q", code, err, js)
	}
	if v.Go != runtime.Version() || v.Version == "" || v.Commit == "" || v.CommitTime == "" {
		t.Errorf("version %+v: want the Go release %s and a version, commit and its time (or unknown)", v, runtime.Version())
	}
	if code, _, _ := run(t, "-v"); code != cli.ExitUsage {
		t.Error("-v is not --version: kubectl users read it as verbosity")
	}
	if !strings.HasPrefix(text, "driftaudit "+v.Version+" (commit "+v.Commit) || !strings.Contains(text, runtime.Version()) {
		t.Errorf("version text %q disagrees with its JSON %+v", text, v)
	}
}

// TestCompletion: the shells' scripts, and the completions they ask the binary for.
func TestCompletion(t *testing.T) {
	for shell, want := range map[string]string{"bash": "__start_driftaudit", "zsh": "#compdef driftaudit", "fish": "complete -c driftaudit"} {
		if code, out, _ := run(t, "completion", shell); code != cli.ExitOK || !strings.Contains(out, want) {
			t.Errorf("completion %s: exit %d, no %q", shell, code, want)
		}
	}
	complete := func(args ...string) []string {
		_, out, _ := run(t, append([]string{"__complete"}, args...)...)
		var words []string
		for _, l := range strings.Split(out, "\n") {
			if l != "" && !strings.HasPrefix(l, ":") && !strings.HasPrefix(l, "Completion ended") {
				words = append(words, strings.SplitN(l, "\t", 2)[0])
			}
		}
		return words
	}
	if got := complete("scan", "--format", ""); strings.Join(got, " ") != "text json markdown asff" {
		t.Errorf("scan --format completes to %v", got)
	}
	if got := complete("checks", "undeployed"); len(got) != 1 || got[0] != "undeployed-changes" {
		t.Errorf("checks undeployed completes to %v", got)
	}
	if got := complete("sc"); len(got) != 1 || got[0] != "scan" {
		t.Errorf("sc completes to %v", got)
	}
}

// TestChecksShowsOneCheck: checks ID says all the catalogue says of it; checks FAMILY lists the
// family; an unknown one is a usage error with the nearest id.
func TestChecksShowsOneCheck(t *testing.T) {
	for _, c := range checks.All() {
		code, out, _ := run(t, "checks", c.ID)
		flat := strings.Join(strings.Fields(out), " ")
		for _, want := range []string{c.ID + ": " + c.Title, "Family: " + c.Family, "Severity: " + c.Severity.String() + " at most; " + c.Levels,
			"Reads: " + c.LooksAt, "Fix: " + c.Remediation, "driftaudit scan --enable " + c.ID} {
			if !strings.Contains(flat, strings.Join(strings.Fields(want), " ")) {
				t.Errorf("checks %s: exit %d, does not say %q:\n%s", c.ID, code, want, out)
			}
		}
		if c.Peers != "" && !strings.Contains(flat, "Other tools: "+c.Peers) {
			t.Errorf("checks %s does not name its peers %q", c.ID, c.Peers)
		}
	}
	_, out, _ := run(t, "checks", "cors")
	rows := strings.Split(strings.TrimSpace(out), "\n")[1:]
	want := 0
	for _, c := range checks.All() {
		if c.Family == "cors" {
			want++
		}
	}
	if len(rows) != want || want == 0 {
		t.Errorf("checks cors lists %d rows, want the family's %d:\n%s", len(rows), want, out)
	}
}

// TestOutputsInOneRun: one scan writes several formats to several files, each equal to the same
// format on stdout, and nothing to stdout; a .json file without FORMAT= gets JSON.
func TestOutputsInOneRun(t *testing.T) {
	shim := demoShim(t)
	base := []string{"scan", "--endpoint-url", shim.URL, "--region", "us-east-1", "--fail-on", "none"}
	dir := t.TempDir()
	files := map[string]string{"json": filepath.Join(dir, "r.json"), "markdown": filepath.Join(dir, "r.md"), "text": filepath.Join(dir, "r.txt"), "asff": filepath.Join(dir, "asff.out")}
	code, out, errOut := run(t, append(base, "--output", files["json"], "--output", "markdown="+files["markdown"], "--output", "text="+files["text"], "--output", "asff="+files["asff"])...)
	if code != cli.ExitOK || out != "" {
		t.Fatalf("exit %d, stdout %d bytes, stderr %q: want 0 and nothing on stdout", code, len(out), errOut)
	}
	for format, path := range files {
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		_, want, _ := run(t, append(base, "--format", format)...)
		if string(got) != want {
			t.Errorf("%s written to %s differs from --format %s on stdout", format, path, format)
		}
	}
	// - is stdout, beside a file.
	if code, out, _ := run(t, append(base, "--output", "json=-", "--output", "markdown="+filepath.Join(dir, "again.md"))...); code != cli.ExitOK || !json.Valid([]byte(out)) {
		t.Errorf("--output json=-: exit %d, stdout not JSON", code)
	}
	leftovers, _ := filepath.Glob(filepath.Join(dir, ".*"))
	if len(leftovers) > 0 {
		t.Errorf("temporary files left beside the reports: %v", leftovers)
	}
}

// TestProfile: --profile takes the credentials and region of a shared-config profile; an unknown
// profile is a usage error naming it.
func TestProfile(t *testing.T) {
	shim := demoShim(t)
	dir := t.TempDir()
	conf := filepath.Join(dir, "config")
	os.WriteFile(conf, []byte("[profile audit]\nregion = us-east-1\naws_access_key_id = AKIAPROFILE\naws_secret_access_key = fromprofile\n"), 0o600)
	run(t) // sets the fake environment for this test
	t.Setenv("AWS_CONFIG_FILE", conf)
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	var out, errOut bytes.Buffer
	code := cli.Main(context.Background(), []string{"scan", "--profile", "audit", "--endpoint-url", shim.URL, "--format", "json", "--fail-on", "none"}, cli.Env{Stdout: &out, Stderr: &errOut})
	var doc struct {
		Regions []string `json:"regions"`
		Summary struct {
			APIsScanned int  `json:"apis_scanned"`
			Complete    bool `json:"complete"`
		} `json:"summary"`
	}
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil || code != cli.ExitOK {
		t.Fatalf("scan --profile audit: exit %d, %v, stderr %q", code, err, errOut.String())
	}
	// No region and no keys are in the environment: only the profile gives them.
	if strings.Join(doc.Regions, ",") != "us-east-1" || doc.Summary.APIsScanned == 0 || !doc.Summary.Complete {
		t.Errorf("the profile's region and credentials were not used: %+v", doc)
	}
	out.Reset()
	errOut.Reset()
	code = cli.Main(context.Background(), []string{"scan", "--profile", "nosuch", "--endpoint-url", shim.URL}, cli.Env{Stdout: &out, Stderr: &errOut})
	if code != cli.ExitUsage || !strings.Contains(errOut.String(), "--profile nosuch: no such profile") || out.Len() > 0 {
		t.Errorf("unknown profile: exit %d, stderr %q", code, errOut.String())
	}
}

// TestWatchSignals: the first signal cancels with its Interrupt, the second exits at once with
// its status.
func TestWatchSignals(t *testing.T) {
	for _, tc := range []struct {
		first, second os.Signal
		code          int
	}{{syscall.SIGINT, syscall.SIGINT, 130}, {syscall.SIGTERM, syscall.SIGINT, 130}, {syscall.SIGINT, syscall.SIGTERM, 143}} {
		sigs := make(chan os.Signal)
		exited := make(chan int, 1)
		var errOut syncBuffer
		ctx, stop := cli.WatchSignals(context.Background(), sigs, &errOut, func(c int) { exited <- c })
		sigs <- tc.first
		<-ctx.Done()
		var i cli.Interrupt
		if !errors.As(context.Cause(ctx), &i) || i.Signal != tc.first {
			t.Errorf("cause %v, want the Interrupt of %v", context.Cause(ctx), tc.first)
		}
		select {
		case c := <-exited:
			t.Errorf("exited %d after one signal", c)
		case <-time.After(20 * time.Millisecond):
		}
		sigs <- tc.second
		if c := <-exited; c != tc.code {
			t.Errorf("second signal %v: exit %d, want %d", tc.second, c, tc.code)
		}
		stop()
		if !strings.Contains(errOut.String(), "again to quit at once") {
			t.Errorf("the first signal does not say how to quit at once: %q", errOut.String())
		}
	}
	// Stopped before any signal: the context is not interrupted.
	ctx, stop := cli.WatchSignals(context.Background(), make(chan os.Signal), &syncBuffer{}, func(int) { t.Error("exit without a signal") })
	stop()
	var i cli.Interrupt
	if errors.As(context.Cause(ctx), &i) {
		t.Error("a watch stopped without a signal reports an interruption")
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) Bytes() []byte { return []byte(s.String()) }

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var buildOnce = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "driftaudit-bin-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "driftaudit")
	build := exec.Command("go", "build", "-buildvcs=auto", "-o", bin, "./cmd/driftaudit")
	build.Dir = filepath.Join("..", "..")
	if out, err := build.CombinedOutput(); err != nil {
		return "", errors.New(string(out))
	}
	return bin, nil
})

// binary builds cmd/driftaudit once for the tests that need a real process (signals).
func binary(t *testing.T) string {
	t.Helper()
	bin, err := buildOnce()
	if err != nil {
		t.Fatalf("build driftaudit: %v", err)
	}
	return bin
}

// TestInterruptedScan sends SIGINT (then SIGTERM) to the real binary in the middle of a scan
// whose GetStages calls hang: it stops, prints the report of what it read marked interrupted,
// never says the scan could not run, and exits 130 (143).
func TestInterruptedScan(t *testing.T) {
	shim := demoShim(t)
	shim.AddFault(awsemu.Fault{Service: "apigateway", Operation: "GetStages", Kind: awsemu.FaultHang})
	bin := binary(t)
	for _, tc := range []struct {
		signal os.Signal
		format string
		code   int
	}{{syscall.SIGINT, "json", 130}, {syscall.SIGTERM, "text", 143}} {
		shim.ResetLog()
		cmd, out, errOut := startBinary(t, bin, "scan", "--endpoint-url", shim.URL, "--region", "us-east-1", "--format", tc.format, "--progress", "never")
		// Wait until the scan is inside: a GetStages call hangs.
		deadline := time.Now().Add(30 * time.Second)
		for !hung(shim) && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		if !hung(shim) {
			cmd.Process.Kill()
			t.Fatalf("the scan never reached GetStages: stderr %q", errOut.String())
		}
		start := time.Now()
		cmd.Process.Signal(tc.signal)
		err := cmd.Wait()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != tc.code {
			t.Errorf("%v: %v, want exit %d; stderr %q", tc.signal, err, tc.code, errOut.String())
		}
		took := time.Since(start)
		if took > 10*time.Second {
			t.Errorf("%v: took %s to stop", tc.signal, took)
		}
		t.Logf("%v: the report was out and the process gone %s after the signal", tc.signal, took.Round(time.Millisecond))
		if strings.Contains(errOut.String(), "could not run") {
			t.Errorf("an interruption is not a failure: stderr %q", errOut.String())
		}
		switch tc.format {
		case "json":
			var doc struct {
				Interrupted bool `json:"interrupted"`
				Summary     struct {
					Complete    bool `json:"complete"`
					APIsScanned int  `json:"apis_scanned"`
				} `json:"summary"`
				Errors []struct{ Operation string } `json:"errors"`
			}
			if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
				t.Fatalf("no JSON report after SIGINT: %v: %q", err, out.String())
			}
			if !doc.Interrupted || doc.Summary.Complete || len(doc.Errors) == 0 || doc.Summary.APIsScanned == 0 {
				t.Errorf("report after SIGINT: interrupted %t, complete %t, %d errors, %d APIs: want interrupted, incomplete, the unread parts as errors, the APIs listed",
					doc.Interrupted, doc.Summary.Complete, len(doc.Errors), doc.Summary.APIsScanned)
			}
		case "text":
			if !strings.Contains(out.String(), "INTERRUPTED: the run was stopped before it finished") || !strings.Contains(out.String(), "INCOMPLETE") {
				t.Errorf("the text report after SIGTERM does not say it was interrupted and is incomplete:\n%s", out.String())
			}
		}
	}
}

// startBinary starts the driftaudit binary with fake credentials only, as run does in-process,
// and returns its stdout and stderr as they fill.
func startBinary(t *testing.T, bin string, args ...string) (cmd *exec.Cmd, stdout, stderr *syncBuffer) {
	t.Helper()
	cmd = exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=AKIAFAKE", "AWS_SECRET_ACCESS_KEY=fake", "AWS_CONFIG_FILE="+os.DevNull,
		"AWS_SHARED_CREDENTIALS_FILE="+os.DevNull, "AWS_EC2_METADATA_DISABLED=true", "AWS_PROFILE=", "AWS_REGION=")
	stdout, stderr = &syncBuffer{}, &syncBuffer{}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, stdout, stderr
}

func hung(shim *awsemu.Shim) bool {
	for _, r := range shim.Requests() {
		if r.Operation == "GetStages" && r.Injected {
			return true
		}
	}
	return false
}

// TestBinaryVersion: a binary built in a checkout names the commit it was built from.
func TestBinaryVersion(t *testing.T) {
	head, err := exec.Command("git", "-C", filepath.Join("..", ".."), "rev-parse", "HEAD").Output()
	if err != nil {
		t.Skipf("not a git checkout: %v", err)
	}
	out, err := exec.Command(binary(t), "version", "--format", "json").Output()
	if err != nil {
		t.Fatal(err)
	}
	var v struct{ Commit string }
	if json.Unmarshal(out, &v) != nil || v.Commit != strings.TrimSpace(string(head)) {
		t.Errorf("version of a binary built at %s says commit %q", strings.TrimSpace(string(head)), v.Commit)
	}
}

// TestProgressOnStderr: --progress always writes plain lines to stderr, the last one counting
// what the report says was read; auto writes nothing off a terminal, nor does --quiet; stdout is
// the same report whatever the progress.
func TestProgressOnStderr(t *testing.T) {
	shim := demoShim(t)
	base := []string{"scan", "--endpoint-url", shim.URL, "--region", "us-east-1", "--format", "json", "--fail-on", "none"}
	_, quietOut, quietErr := run(t, append(base, "--quiet")...)
	if quietErr != "" {
		t.Errorf("--quiet wrote to stderr: %q", quietErr)
	}
	if _, out, errOut := run(t, base...); errOut != "" || out != quietOut {
		t.Errorf("--progress auto off a terminal: stderr %q, and stdout differs from --quiet's: %t", errOut, out != quietOut)
	}
	shim.ResetLog()
	_, out, errOut := run(t, append(base, "--progress", "always")...)
	if out != quietOut {
		t.Error("--progress always changed the report")
	}
	var doc struct {
		Summary struct {
			APIsScanned int `json:"apis_scanned"`
		} `json:"summary"`
	}
	json.Unmarshal([]byte(out), &doc)
	lines := strings.Split(strings.TrimSpace(errOut), "\n")
	last := lines[len(lines)-1]
	calls := len(shim.Requests()) - countService(shim, "sts")
	want := []string{"scan ended:", "regions 1/1", fmt.Sprintf("APIs %d/%d", doc.Summary.APIsScanned, doc.Summary.APIsScanned), fmt.Sprintf("%d calls", calls)}
	for _, w := range want {
		if !strings.Contains(last, w) {
			t.Errorf("the last progress line %q does not say %q", last, w)
		}
	}
	if strings.Contains(errOut, "\x1b[") {
		t.Errorf("plain progress lines hold escape codes: %q", errOut)
	}
}

func countService(shim *awsemu.Shim, service string) int {
	n := 0
	for _, r := range shim.Requests() {
		if r.Service == service {
			n++
		}
	}
	return n
}

// TestOutputToAPipe: --output to something that is not a regular file (a named pipe here; the
// same holds for /dev/null and /dev/stdout) is written to, never replaced by a renamed file.
func TestOutputToAPipe(t *testing.T) {
	shim := demoShim(t)
	fifo := filepath.Join(t.TempDir(), "report.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("no named pipes here: %v", err)
	}
	got := make(chan []byte, 1)
	go func() {
		f, err := os.Open(fifo)
		if err != nil {
			got <- nil
			return
		}
		defer f.Close()
		var b bytes.Buffer
		b.ReadFrom(f)
		got <- b.Bytes()
	}()
	code, _, errOut := run(t, "scan", "--endpoint-url", shim.URL, "--region", "us-east-1", "--fail-on", "none", "-o", "json="+fifo)
	if code != cli.ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	select {
	case b := <-got:
		if !json.Valid(b) || len(b) == 0 {
			t.Errorf("the pipe's reader got %d bytes of no JSON", len(b))
		}
	case <-time.After(10 * time.Second):
		t.Error("nothing reached the pipe's reader")
	}
	if st, err := os.Lstat(fifo); err != nil || st.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("the named pipe was replaced: %v, mode %v", err, st.Mode())
	}
}

// TestMinSeverityShowsLessCountsAll: --min-severity lists fewer findings in text and Markdown,
// says how many it left out, keeps every count whole, and leaves JSON alone.
func TestMinSeverityShowsLessCountsAll(t *testing.T) {
	shim := demoShim(t)
	base := []string{"scan", "--endpoint-url", shim.URL, "--region", "us-east-1", "--fail-on", "none"}
	_, js, _ := run(t, append(base, "--format", "json")...)
	var doc struct {
		Findings []struct{ Severity string } `json:"findings"`
	}
	json.Unmarshal([]byte(js), &doc)
	below := 0
	for _, f := range doc.Findings {
		if f.Severity != "critical" {
			below++
		}
	}
	if below == 0 || below == len(doc.Findings) {
		t.Fatalf("the demo needs findings on both sides of critical: %d of %d below", below, len(doc.Findings))
	}
	if _, js2, _ := run(t, append(base, "--format", "json", "--min-severity", "critical")...); js2 != js {
		t.Error("--min-severity changed the JSON report")
	}
	for _, format := range []string{"text", "markdown"} {
		_, all, _ := run(t, append(base, "--format", format, "--color", "never")...)
		_, some, _ := run(t, append(base, "--format", format, "--color", "never", "--min-severity", "critical")...)
		if !strings.Contains(some, fmt.Sprintf("%d findings below critical not shown (--min-severity critical)", below)) {
			t.Errorf("%s: does not say that %d findings below critical are not shown", format, below)
		}
		if strings.Count(some, "\n") >= strings.Count(all, "\n") {
			t.Errorf("%s: --min-severity critical shows no less (%d lines, %d without)", format, strings.Count(some, "\n"), strings.Count(all, "\n"))
		}
		// The summary (the first table) is the same.
		head := func(s string) string {
			i := strings.Index(s, "critical")
			return s[:i+strings.Index(s[i:], "\n\n")]
		}
		if head(all) != head(some) {
			t.Errorf("%s: --min-severity changed the summary:\n%s\n---\n%s", format, head(all), head(some))
		}
	}
}

// TestSuppressionFileErrorsAndStaleEntries: a suppression file with an unknown key is a one-line
// usage error naming the flag, file, entry, line, key and valid keys; an entry that matched
// nothing in a complete scan is a warning that names it.
func TestSuppressionFileErrorsAndStaleEntries(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("suppressions:\n  - check: never-deployed\n    api: draft\n    reason: later\n  - chek: never-deployed\n    reason: typo\n"), 0o644)
	code, out, errOut := run(t, "scan", "--snapshot", "x.json", "--suppressions", bad)
	want := "--suppressions " + bad + ": entry 2 (line 5): unknown key \"chek\"; valid keys: check,"
	if code != cli.ExitUsage || out != "" || !strings.Contains(errOut, want) || strings.Count(strings.TrimSpace(errOut), "\n") > 1 {
		t.Errorf("exit %d, stderr %q: want 2 and %q", code, errOut, want)
	}
	for _, goName := range []string{"suppress.", "[]", "map[", "yaml: line", "unmarshal"} {
		if strings.Contains(errOut, goName) {
			t.Errorf("the error shows Go or YAML internals (%q): %q", goName, errOut)
		}
	}
	shim := demoShim(t)
	stale := filepath.Join(dir, "stale.yaml")
	os.WriteFile(stale, []byte("suppressions:\n  - {check: never-deployed, api: draft, reason: a prototype}\n  - {check: never-deployed, api: retired, reason: gone long ago}\n"), 0o644)
	_, text, _ := run(t, "scan", "--endpoint-url", shim.URL, "--region", "us-east-1", "--fail-on", "none", "--suppressions", stale, "--color", "never")
	if !strings.Contains(text, "stale suppression: entry 2 (line 3) in "+stale+" matched no finding") || strings.Contains(text, "entry 1 (line 2) in "+stale+" matched no finding") {
		t.Errorf("the report does not warn of entry 2, and only of it, as stale:\n%s", text)
	}
	if !strings.Contains(text, "never-deployed") || !strings.Contains(text, "a prototype") {
		t.Errorf("the text report does not list the suppressed finding with its reason")
	}
	// A report that goes only to a file still tells stderr of the stale entry, unless --quiet.
	args := []string{"scan", "--endpoint-url", shim.URL, "--region", "us-east-1", "--fail-on", "none", "--suppressions", stale, "-o", filepath.Join(dir, "r.json")}
	if _, _, errOut := run(t, args...); !strings.Contains(errOut, "driftaudit: warning: stale suppression: entry 2 (line 3)") {
		t.Errorf("with the report in a file, stderr does not warn of the stale entry: %q", errOut)
	}
	if _, _, errOut := run(t, append(args, "--quiet")...); errOut != "" {
		t.Errorf("--quiet still writes to stderr: %q", errOut)
	}
}

// TestIncompleteSaysSoOnStderr: with the report only in a file, an incomplete scan still says so
// on stderr (and exits 1), even with --quiet: it is an error, not a notice.
func TestIncompleteSaysSoOnStderr(t *testing.T) {
	shim := demoShim(t)
	shim.AddFault(awsemu.Fault{Service: "apigateway", APIID: "orders0001", Kind: awsemu.FaultStatus, Status: 403, ErrorType: "AccessDeniedException"})
	code, out, errOut := run(t, "scan", "--endpoint-url", shim.URL, "--region", "us-east-1", "--quiet", "-o", filepath.Join(t.TempDir(), "r.json"))
	if code != cli.ExitFindings || out != "" || !strings.Contains(errOut, "driftaudit: the scan is incomplete: ") {
		t.Errorf("exit %d, stdout %d bytes, stderr %q: want 1, nothing on stdout and the incompleteness on stderr", code, len(out), errOut)
	}
}

// TestInterruptedSlowScanInventsNothing: every API Gateway call of the shim is slowed; SIGINT
// after a dozen calls stops the real binary mid-scan. What it reports is a subset of the whole
// scan's findings, each at the same place and severity: an interruption never invents one.
func TestInterruptedSlowScanInventsNothing(t *testing.T) {
	shim := demoShim(t)
	_, whole, _ := run(t, "scan", "--endpoint-url", shim.URL, "--region", "us-east-1", "--format", "json", "--fail-on", "none")
	type finding struct {
		ID, Check, Severity string
	}
	var full, cut struct {
		Interrupted bool      `json:"interrupted"`
		Findings    []finding `json:"findings"`
		Summary     struct {
			Complete bool `json:"complete"`
		} `json:"summary"`
	}
	if err := json.Unmarshal([]byte(whole), &full); err != nil || len(full.Findings) == 0 {
		t.Fatalf("the whole scan: %v, %d findings", err, len(full.Findings))
	}
	severity := map[string]string{}
	for _, f := range full.Findings {
		severity[f.ID] = f.Severity
	}
	shim.AddFault(awsemu.Fault{Service: "apigateway", Kind: awsemu.FaultDelay, Delay: 150 * time.Millisecond})
	shim.ResetLog()
	cmd, out, errOut := startBinary(t, binary(t), "scan", "--endpoint-url", shim.URL, "--region", "us-east-1", "--format", "json", "--progress", "never")
	deadline := time.Now().Add(30 * time.Second)
	for countService(shim, "apigateway") < 12 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGINT)
	err := cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != cli.ExitInterrupted {
		t.Fatalf("%v, want exit 130; stderr %q", err, errOut.String())
	}
	if err := json.Unmarshal(out.Bytes(), &cut); err != nil {
		t.Fatalf("no JSON report: %v", err)
	}
	if !cut.Interrupted || cut.Summary.Complete {
		t.Errorf("interrupted %t, complete %t", cut.Interrupted, cut.Summary.Complete)
	}
	for _, f := range cut.Findings {
		if want, ok := severity[f.ID]; !ok || want != f.Severity {
			t.Errorf("invented: %s %s (%s) is not in the whole scan at that place and severity", f.Check, f.ID, f.Severity)
		}
	}
	t.Logf("interrupted after %d calls: %d of the whole scan's %d findings", countService(shim, "apigateway"), len(cut.Findings), len(full.Findings))
}
