package publish

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"

	"github.com/apigw-drift/driftaudit/pkg/checks"
	"github.com/apigw-drift/driftaudit/pkg/report"
)

// TopicAPI is the part of the SNS client publishing uses.
type TopicAPI interface {
	Publish(context.Context, *sns.PublishInput, ...func(*sns.Options)) (*sns.PublishOutput, error)
}

var _ TopicAPI = (*sns.Client)(nil)

// SNS limits: a subject under 100 characters, and 256 KiB for the message with its attributes.
const (
	maxSubjectChars = 99
	maxMessageBytes = 256 * 1024
)

// Message attribute names. Subscribers filter on them (on-call: {"severity": ["critical"]}).
// They travel only with a plain-string message, so MessageStructure stays unset, and there are
// at most 10 of them, the most an SQS subscription with raw delivery accepts.
const (
	AttrSeverity = "severity"
	AttrCritical = "critical"
	AttrWarning  = "warning"
	AttrInfo     = "info"
	AttrErrors   = "scan_errors"
	AttrComplete = "complete"
	AttrAccount  = "account"
)

// Message is what is published: a subject, a plain-text body for e-mail, and attributes.
type Message struct {
	Subject    string
	Body       string
	Attributes map[string]types.MessageAttributeValue
	// Omitted counts the findings left out of Body to stay within SNS's size limit (resolved
	// findings aside).
	Omitted int
}

// Size is the message's size as SNS counts it against its limit: body, subject and attributes.
func (m Message) Size() int {
	n := len(m.Body) + len(m.Subject)
	for name, v := range m.Attributes {
		n += len(name) + len(aws.ToString(v.DataType)) + len(aws.ToString(v.StringValue))
	}
	return n
}

// BuildMessage renders the report as an SNS message: the text report, opening with the summary
// table and, with a baseline, what is new and what was resolved. When the whole report would
// exceed SNS's limit, the body keeps what fits of the new findings, the resolved ones, then the
// worst of the rest, and says how many were left out and where the full report is
// (fullReportAt, e.g. the log group that holds the JSON report).
func BuildMessage(rep *report.Report, fullReportAt string) (Message, error) {
	return BuildMessageWithFooter(rep, fullReportAt, "")
}

// BuildMessageWithFooter is BuildMessage with a last line that every message carries, cut or
// not, such as where the organization report is kept.
func BuildMessageWithFooter(rep *report.Report, fullReportAt, footer string) (Message, error) {
	msg := Message{Subject: Subject(rep), Attributes: attributes(rep)}
	note := "The full report is " + fullReportAt + "."
	var renderErr error
	fits := func(findings, errs int) (string, bool) {
		b := report.CappedBuffer{Limit: maxMessageBytes - msg.Size()}
		if err := rep.WriteTextLimited(&b, report.TextOptions{MaxFindings: findings, MaxErrors: errs, Note: note, Footer: footer}); err != nil {
			if !errors.Is(err, report.ErrTooLong) {
				renderErr = err
			}
			return "", false
		}
		m := msg
		m.Body = b.String()
		return m.Body, m.Size() <= maxMessageBytes
	}
	if body, ok := fits(-1, -1); ok || renderErr != nil {
		msg.Body = body
		return msg, renderErr
	}
	// Too large: keep at most maxErrorsInMessage scan errors, then as many findings as fit, in
	// the order the text report chooses them (new, resolved, then the rest worst first); if even
	// the errors do not fit, as many errors as fit.
	errs := min(len(rep.Errors), maxErrorsInMessage)
	n, body := report.LargestFitting(len(rep.Findings)+len(rep.Resolved), func(k int) (string, bool) { return fits(k, errs) })
	if body == "" {
		n = 0
		_, body = report.LargestFitting(errs, func(k int) (string, bool) { return fits(0, k) })
	}
	if renderErr != nil {
		return msg, renderErr
	}
	if body == "" {
		return msg, fmt.Errorf("the report does not fit in an SNS message even without findings and scan errors")
	}
	msg.Body, msg.Omitted = body, rep.FindingsLeftOut(n)
	return msg, nil
}

// maxErrorsInMessage bounds the scan errors listed in a report that has to be cut; the rest
// are counted, and every one is in the logs.
const maxErrorsInMessage = 50

// Subject tells the essentials in one line under 100 characters, e.g.
// "API Gateway drift: 2 critical, 5 warning in 123456789012 eu-west-1".
func Subject(rep *report.Report) string {
	var counts []string
	for _, sev := range []checks.Severity{checks.Critical, checks.Warning, checks.Info} {
		if n := rep.Summary.BySeverity[sev.String()]; n > 0 {
			counts = append(counts, fmt.Sprintf("%d %s", n, sev))
		}
	}
	what, suffix := "all clear", ""
	if !rep.Summary.Complete {
		what, suffix = "no findings", " (incomplete scan)"
	}
	if len(counts) > 0 {
		what = strings.Join(counts, ", ")
	}
	if c := rep.Summary.Changes; c != nil {
		what = changeLine(rep, what)
	}
	// An account id that could not be read is left out (the report's warnings say why), never
	// replaced by a word that reads like one.
	where := ""
	switch {
	case rep.MultiAccount():
		where = fmt.Sprintf("%d accounts, ", len(rep.Accounts))
	case rep.AccountID != "":
		where = rep.AccountID + " "
	}
	s := fmt.Sprintf("API Gateway drift: %s in %s%s", what, where, strings.Join(rep.Regions, " "))
	if len(rep.Regions) > 2 || len(rep.Regions) == 2 && utf8.RuneCountInString(s+suffix) > maxSubjectChars {
		s = fmt.Sprintf("API Gateway drift: %s in %s%d regions", what, where, len(rep.Regions))
	}
	return oneLine(s, maxSubjectChars-len(suffix)) + suffix
}

// changeLine leads a subject with what changed since the baseline: "2 new critical, 1 new
// warning (9 in all)", "3 resolved (6 in all)", or "no change (9 in all)"; all is the counts.
func changeLine(rep *report.Report, all string) string {
	news := map[checks.Severity]int{}
	for _, f := range rep.NewFindings() {
		news[f.Severity]++
	}
	var parts []string
	for _, sev := range []checks.Severity{checks.Critical, checks.Warning, checks.Info} {
		if n := news[sev]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d new %s", n, sev))
		}
	}
	if n := rep.Summary.Changes.Resolved; n > 0 {
		parts = append(parts, fmt.Sprintf("%d resolved", n))
	}
	if len(parts) == 0 {
		parts = []string{"no change"}
	}
	inAll := fmt.Sprintf("%d in all", len(rep.Findings))
	if len(rep.Findings) == 0 {
		inAll = all
	}
	return strings.Join(parts, ", ") + " (" + inAll + ")"
}

// oneLine drops control characters and cuts s to at most n characters (SNS rejects a subject
// with a line break or of 100 characters and more).
func oneLine(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

func attributes(rep *report.Report) map[string]types.MessageAttributeValue {
	str := func(v string) types.MessageAttributeValue {
		return types.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(v)}
	}
	num := func(v int) types.MessageAttributeValue {
		return types.MessageAttributeValue{DataType: aws.String("Number"), StringValue: aws.String(strconv.Itoa(v))}
	}
	worst := "none"
	if w := rep.Worst(); w != 0 {
		worst = w.String()
	}
	attrs := map[string]types.MessageAttributeValue{
		AttrSeverity: str(worst),
		AttrCritical: num(rep.Summary.BySeverity["critical"]),
		AttrWarning:  num(rep.Summary.BySeverity["warning"]),
		AttrInfo:     num(rep.Summary.BySeverity["info"]),
		AttrErrors:   num(rep.Summary.Errors),
		AttrComplete: str(strconv.FormatBool(rep.Summary.Complete)),
	}
	if rep.AccountID != "" {
		attrs[AttrAccount] = str(rep.AccountID)
	}
	return attrs
}

// PublishReport publishes msg to the topic.
func PublishReport(ctx context.Context, client TopicAPI, topicARN string, msg Message) error {
	_, err := client.Publish(ctx, &sns.PublishInput{
		TopicArn:          aws.String(topicARN),
		Subject:           aws.String(msg.Subject),
		Message:           aws.String(msg.Body),
		MessageAttributes: msg.Attributes,
	})
	if err != nil {
		return fmt.Errorf("publish the report to %s: %w", topicARN, err)
	}
	return nil
}
