package awsemu

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/schemas"
	"github.com/aws/smithy-go"
	smithycbor "github.com/aws/smithy-go/encoding/cbor"
	"github.com/aws/smithy-go/traits"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/aws/smithy-go/transport/http/protocol/awsquery"
	"github.com/aws/smithy-go/transport/http/protocol/rpcv2"
)

// CloudWatch: aws-sdk-go-v2 speaks Smithy RPC v2 CBOR to it, moto only the query protocol. The
// shim translates both ways with the SDK's own model (package cloudwatch/schemas) and codecs:
// the decoded CBOR input is walked against the operation's input schema and written by smithy-go's
// awsQuery serializer, exactly as an awsQuery client would send it; moto's XML answer is read by
// smithy-go's awsQuery deserializer into the SDK's output type, which is written back by the
// rpcv2Cbor serializer. What reaches the SDK is therefore what its own codec produces.

const (
	// cloudWatchService is CloudWatch's SigV4 signing name.
	cloudWatchService = "monitoring"
	// cloudWatchRPCService is CloudWatch's service shape, as it appears in rpcv2Cbor paths.
	cloudWatchRPCService = "GraniteServiceVersion20100801"
)

// MetricDataRequest is what the shim saw of one PutMetricData request, in arrival order, retries
// and faulted attempts included, so that a test can assert how its code batches metrics.
type MetricDataRequest struct {
	Region    string
	Namespace string
	// Datums counts the MetricData entries (plus those nested in EntityMetricData).
	Datums int
	// Values counts the values the datums carry: 1 for a Value or a StatisticValues, else the
	// length of Values.
	Values int
	// Bytes is the size of the CBOR body once decompressed; WireBytes is its size as sent,
	// which differs when the SDK gzipped it (Compressed).
	Bytes      int
	WireBytes  int
	Compressed bool
	// Status is the HTTP status the client was sent (0 for none), Injected whether a fault or
	// the throttle decided it, as in Request.
	Status   int
	Injected bool
}

// MetricDataRequests returns the PutMetricData requests seen so far, oldest first. ResetLog
// clears them too.
func (s *Shim) MetricDataRequests() []MetricDataRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]MetricDataRequest(nil), s.metricData...)
}

// cwOutput is an SDK output type: the awsQuery codec reads it, the rpcv2Cbor codec writes it.
type cwOutput interface {
	smithy.Deserializable
	smithy.Serializable
}

type cwOperation struct {
	schema    *smithy.OperationSchema
	newOutput func() cwOutput
	// fix, if set, corrects moto's answer where it is not what AWS would send.
	fix func(cwOutput)
}

// cloudWatchOps are the operations the shim translates. Each needs moto support and nothing
// but the table entry: the translation is driven by the schemas. The operation schemas are
// those the SDK builds in its api_op_*.go files.
var cloudWatchOps = map[string]cwOperation{
	"PutMetricData": {
		smithy.NewOperationSchema(schemas.PutMetricData, schemas.PutMetricDataInput, nil),
		func() cwOutput { return &cloudwatch.PutMetricDataOutput{} },
		nil,
	},
	"GetMetricStatistics": {
		smithy.NewOperationSchema(schemas.GetMetricStatistics, schemas.GetMetricStatisticsInput, schemas.GetMetricStatisticsOutput),
		func() cwOutput { return &cloudwatch.GetMetricStatisticsOutput{} },
		nil,
	},
	"ListMetrics": {
		smithy.NewOperationSchema(schemas.ListMetrics, schemas.ListMetricsInput, schemas.ListMetricsOutput),
		func() cwOutput { return &cloudwatch.ListMetricsOutput{} },
		dedupeMetrics,
	},
	"GetMetricData": {
		smithy.NewOperationSchema(schemas.GetMetricData, schemas.GetMetricDataInput, schemas.GetMetricDataOutput),
		func() cwOutput { return &cloudwatch.GetMetricDataOutput{} },
		nil,
	},
}

var (
	cwQuery = awsquery.New(schemas.GraniteServiceVersion20100801)
	cwCBOR  = rpcv2.NewCBOR(schemas.GraniteServiceVersion20100801)
)

// isCloudWatchCBOR tells the requests serveCloudWatch answers: a CBOR request signed for
// CloudWatch, or one on CloudWatch's rpcv2 path whatever its signature says.
func isCloudWatchCBOR(c *call) bool {
	return c.Protocol == protoCBOR &&
		(c.Service == cloudWatchService || c.RPCService == cloudWatchRPCService)
}

// serveCloudWatch answers a CloudWatch rpcv2Cbor request through moto's query protocol.
func (s *Shim) serveCloudWatch(ctx context.Context, in *inbound) (*reply, error) {
	op, ok := cloudWatchOps[in.call.Operation]
	if !ok {
		names := make([]string, 0, len(cloudWatchOps))
		for n := range cloudWatchOps {
			names = append(names, n)
		}
		slices.Sort(names)
		return s.errorReply(&in.call, http.StatusBadRequest, "UnsupportedOperation", fmt.Sprintf(
			"awsemu shim: CloudWatch operation %q is not translated from rpcv2Cbor to moto's query protocol (translated: %s)",
			in.call.Operation, strings.Join(names, ", "))), nil
	}
	input, err := in.cborInput()
	if err != nil {
		return s.errorReply(&in.call, http.StatusBadRequest, "SerializationException", "awsemu shim: "+err.Error()), nil
	}
	form, err := queryForm(ctx, op.schema, input)
	if err != nil {
		return s.errorReply(&in.call, http.StatusBadRequest, "SerializationException", "awsemu shim: "+err.Error()), nil
	}
	h := identityHeaders(in.r)
	h.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	up, err := s.upstreamDo(ctx, http.MethodPost, "/", "", h, form)
	if err != nil {
		return nil, err
	}
	reqID := up.header.Get("X-Amzn-Requestid")
	if reqID == "" {
		reqID = s.nextRequestID()
	}
	if up.status/100 != 2 {
		return s.cloudWatchError(in, up, reqID), nil
	}
	body, err := cborOutput(ctx, op, up)
	if err != nil {
		return s.errorReply(&in.call, http.StatusBadGateway, "InternalFailure",
			"awsemu shim: cannot translate moto's "+in.call.Operation+" answer: "+err.Error()), nil
	}
	hdr := cborHeaders(reqID)
	if len(body) == 0 {
		hdr.Del("Content-Type")
	}
	return &reply{status: http.StatusOK, header: hdr, body: body}, nil
}

func cborHeaders(reqID string) http.Header {
	h := http.Header{}
	h.Set("Smithy-Protocol", "rpc-v2-cbor")
	h.Set("Content-Type", "application/cbor")
	h.Set("X-Amzn-Requestid", reqID)
	return h
}

// cborInput decodes the request body (gunzipped first if the SDK compressed it) as a CBOR map,
// once, whoever asks first.
func (in *inbound) cborInput() (smithycbor.Map, error) {
	in.cborOnce.Do(func() {
		raw := in.body
		if strings.EqualFold(in.r.Header.Get("Content-Encoding"), "gzip") {
			zr, err := gzip.NewReader(bytes.NewReader(raw))
			if err != nil {
				in.cborErr = fmt.Errorf("gzip request body: %w", err)
				return
			}
			raw, err = io.ReadAll(io.LimitReader(zr, maxRequestBody+1))
			if err == nil && len(raw) > maxRequestBody {
				err = errors.New("gzip request body inflates beyond the shim's limit")
			}
			if err != nil {
				in.cborErr = fmt.Errorf("gzip request body: %w", err)
				return
			}
		}
		in.cborLen = len(raw)
		if len(raw) == 0 {
			in.cborMap = smithycbor.Map{}
			return
		}
		v, err := smithycbor.Decode(raw)
		if err != nil {
			in.cborErr = fmt.Errorf("CBOR request body: %w", err)
			return
		}
		m, ok := v.(smithycbor.Map)
		if !ok {
			in.cborErr = fmt.Errorf("CBOR request body is a %T, want a map", v)
			return
		}
		in.cborMap = m
	})
	return in.cborMap, in.cborErr
}

// metricDataRequest summarizes a PutMetricData request for MetricDataRequests; Status and
// Injected are filled in when it is answered.
func metricDataRequest(in *inbound) *MetricDataRequest {
	m := &MetricDataRequest{
		Region:     in.call.Region,
		WireBytes:  len(in.body),
		Compressed: strings.EqualFold(in.r.Header.Get("Content-Encoding"), "gzip"),
	}
	input, err := in.cborInput()
	if err != nil {
		return m
	}
	m.Bytes = in.cborLen
	if ns, ok := input["Namespace"].(smithycbor.String); ok {
		m.Namespace = string(ns)
	}
	count := func(data smithycbor.Value) {
		list, _ := data.(smithycbor.List)
		for _, d := range list {
			m.Datums++
			datum, _ := d.(smithycbor.Map)
			if vs, ok := datum["Values"].(smithycbor.List); ok && len(vs) > 0 {
				m.Values += len(vs)
			} else {
				m.Values++
			}
		}
	}
	count(input["MetricData"])
	if ents, ok := input["EntityMetricData"].(smithycbor.List); ok {
		for _, e := range ents {
			if em, ok := e.(smithycbor.Map); ok {
				count(em["MetricData"])
			}
		}
	}
	return m
}

// queryForm writes the decoded input as the form body an awsQuery client would send.
func queryForm(ctx context.Context, op *smithy.OperationSchema, input smithycbor.Map) ([]byte, error) {
	in := &cborShape{schema: op.Input, value: input}
	req := smithyhttp.NewStackRequest().(*smithyhttp.Request)
	if err := cwQuery.SerializeRequest(ctx, op, in, req); err != nil {
		return nil, err
	}
	if in.err != nil {
		return nil, in.err
	}
	return io.ReadAll(req.GetStream())
}

// cborOutput reads moto's XML answer into the SDK's output type and writes it as rpcv2Cbor. An
// operation with no output answers an empty body, as the protocol says of a Unit output.
func cborOutput(ctx context.Context, op cwOperation, up *reply) ([]byte, error) {
	if op.schema.Output == nil {
		return nil, nil
	}
	out := op.newOutput()
	resp := &smithyhttp.Response{Response: &http.Response{
		StatusCode: up.status,
		Header:     up.header,
		Body:       io.NopCloser(bytes.NewReader(up.body)),
	}}
	if err := cwQuery.DeserializeResponse(ctx, op.schema, cloudwatch.TypeRegistry, resp, out); err != nil {
		return nil, err
	}
	if op.fix != nil {
		op.fix(out)
	}
	// The rpcv2Cbor codec only serializes requests, so the output is passed off as the input
	// of an operation whose input shape is the output shape.
	req := smithyhttp.NewStackRequest().(*smithyhttp.Request)
	if err := cwCBOR.SerializeRequest(ctx, smithy.NewOperationSchema(op.schema.Schema, op.schema.Output, nil), out, req); err != nil {
		return nil, err
	}
	if req.GetStream() == nil {
		return nil, nil
	}
	return io.ReadAll(req.GetStream())
}

// dedupeMetrics drops repeats from a ListMetrics page. moto lists a metric with two or more
// dimensions once per datum put (its dimension comparison in models.py only works for one
// dimension); AWS lists each namespace, name and dimension set once. A repeat across pages
// (moto pages at 500) is not caught.
func dedupeMetrics(o cwOutput) {
	out := o.(*cloudwatch.ListMetricsOutput)
	seen := make(map[string]bool, len(out.Metrics))
	kept := out.Metrics[:0]
	for _, m := range out.Metrics {
		ds := make([]string, 0, len(m.Dimensions))
		for _, d := range m.Dimensions {
			ds = append(ds, aws.ToString(d.Name)+"\x00"+aws.ToString(d.Value))
		}
		slices.Sort(ds)
		key := aws.ToString(m.Namespace) + "\x01" + aws.ToString(m.MetricName) + "\x01" + strings.Join(ds, "\x01")
		if !seen[key] {
			seen[key] = true
			kept = append(kept, m)
		}
	}
	clear(out.Metrics[len(kept):])
	out.Metrics = kept
}

// cloudWatchError turns moto's query-protocol error into the rpcv2Cbor one AWS sends.
func (s *Shim) cloudWatchError(in *inbound, up *reply, reqID string) *reply {
	var doc struct {
		Error  queryError   `xml:"Error"`
		Errors []queryError `xml:"Errors>Error"`
	}
	e := queryError{}
	if xml.Unmarshal(up.body, &doc) == nil {
		e = doc.Error
		if e.Code == "" && len(doc.Errors) > 0 {
			e = doc.Errors[0]
		}
	}
	if e.Code == "" {
		snippet := string(up.body)
		if len(snippet) > 200 {
			snippet = snippet[:200] + "..."
		}
		e.Code = "InternalFailure"
		e.Message = fmt.Sprintf("awsemu shim: moto answered %s %d without a query-protocol error: %s",
			in.call.Operation, up.status, snippet)
	}
	typ, qcode := cloudWatchErrorType(e.Code)
	fault := e.Type
	if fault != "Sender" && fault != "Receiver" {
		fault = faultOf(up.status)
	}
	return cborErrorReply(up.status, typ, qcode+";"+fault, e.Message, reqID)
}

type queryError struct {
	Type    string `xml:"Type"`
	Code    string `xml:"Code"`
	Message string `xml:"Message"`
}

func faultOf(status int) string {
	if status >= 500 {
		return "Receiver"
	}
	return "Sender"
}

// cborErrorReply is an rpcv2Cbor error: the type in __type, the message in message, and for an
// awsQueryCompatible service such as CloudWatch the query error code in X-Amzn-Query-Error,
// which the SDK reports as the error's code.
func cborErrorReply(status int, typ, queryError, message, reqID string) *reply {
	body := smithycbor.Map{
		"__type":  smithycbor.String(typ),
		"message": smithycbor.String(message),
	}
	if e, ok := cloudwatch.TypeRegistry.Entries[typ]; ok && e.Schema.Member("Message") != nil {
		body["Message"] = smithycbor.String(message)
	}
	h := cborHeaders(reqID)
	if queryError != "" {
		h.Set("X-Amzn-Query-Error", queryError)
	}
	return &reply{status: status, header: h, body: smithycbor.Encode(body)}
}

// cloudWatchErrorType maps an error code, the query one (InvalidParameterValue) or the shape
// name (InvalidParameterValueException), to the modelled shape ID that goes in __type and the
// query code; a code the model does not know is passed as both.
func cloudWatchErrorType(code string) (typ, queryCode string) {
	if e, ok := cloudWatchErrors()[code]; ok {
		return e[0], e[1]
	}
	if code == "Throttling" {
		// Not in the model: a common error, whose shape is ThrottlingException.
		return "ThrottlingException", code
	}
	return code, code
}

var cloudWatchErrors = sync.OnceValue(func() map[string][2]string {
	m := make(map[string][2]string)
	ids := make([]string, 0, len(cloudwatch.TypeRegistry.Entries))
	for id := range cloudwatch.TypeRegistry.Entries {
		ids = append(ids, id)
	}
	slices.Sort(ids) // deterministic when two shapes share a query code
	for _, id := range ids {
		e := cloudwatch.TypeRegistry.Entries[id]
		name := id[strings.IndexByte(id, '#')+1:]
		qcode := name
		if t, ok := smithy.SchemaTrait[*traits.AWSQueryError](e.Schema); ok && t.ErrorCode != "" {
			qcode = t.ErrorCode
		}
		m[name] = [2]string{id, qcode}
		if _, taken := m[qcode]; !taken {
			m[qcode] = [2]string{id, qcode}
		}
	}
	// A shape named like a query code wins over another shape that uses it.
	for _, id := range ids {
		name := id[strings.IndexByte(id, '#')+1:]
		if m[name][0] != id {
			m[name] = [2]string{id, m[name][1]}
		}
	}
	return m
})

// cborShape is a decoded CBOR value walked against its schema; as a smithy.Serializable it
// drives another protocol's serializer (awsQuery here). Members the schema does not know are
// dropped, as the SDK's deserializers skip them; the first type mismatch is kept in err.
type cborShape struct {
	schema *smithy.Schema
	value  smithycbor.Value
	err    error
}

func (c *cborShape) Serialize(s smithy.ShapeSerializer) { c.write(s, c.schema, c.value) }

func (c *cborShape) fail(sch *smithy.Schema, v smithycbor.Value, err error) {
	if c.err == nil {
		name := sch.MemberName()
		if name == "" {
			name = sch.ID().Name
		}
		c.err = fmt.Errorf("member %s: %T does not fit a shape of type %d: %v", name, v, sch.Type(), err)
	}
}

func sortedKeys(m smithycbor.Map) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

var errShape = errors.New("wrong CBOR type")

func (c *cborShape) write(s smithy.ShapeSerializer, sch *smithy.Schema, v smithycbor.Value) {
	switch v.(type) {
	case *smithycbor.Nil, *smithycbor.Undefined:
		return // a null member is an absent one
	}
	switch sch.Type() {
	case smithy.ShapeTypeStructure:
		m, ok := v.(smithycbor.Map)
		if !ok {
			c.fail(sch, v, errShape)
			return
		}
		s.WriteStruct(sch)
		for _, k := range sortedKeys(m) {
			if mem := sch.Member(k); mem != nil {
				c.write(s, mem, m[k])
			}
		}
		s.CloseStruct()
	case smithy.ShapeTypeUnion:
		m, ok := v.(smithycbor.Map)
		if !ok {
			c.fail(sch, v, errShape)
			return
		}
		for _, k := range sortedKeys(m) {
			if mem := sch.Member(k); mem != nil {
				s.WriteUnion(sch, mem)
				c.write(s, mem, m[k])
				s.CloseUnion()
				break
			}
		}
	case smithy.ShapeTypeList, smithy.ShapeTypeSet:
		l, ok := v.(smithycbor.List)
		if !ok {
			c.fail(sch, v, errShape)
			return
		}
		s.WriteList(sch)
		for _, item := range l {
			c.write(s, sch.ListMember(), item)
		}
		s.CloseList()
	case smithy.ShapeTypeMap:
		m, ok := v.(smithycbor.Map)
		if !ok {
			c.fail(sch, v, errShape)
			return
		}
		s.WriteMap(sch)
		for _, k := range sortedKeys(m) {
			s.WriteKey(sch.MapKey(), k)
			c.write(s, sch.MapValue(), m[k])
		}
		s.CloseMap()
	case smithy.ShapeTypeString, smithy.ShapeTypeEnum:
		str, ok := v.(smithycbor.String)
		if !ok {
			c.fail(sch, v, errShape)
			return
		}
		s.WriteString(sch, string(str))
	case smithy.ShapeTypeBoolean:
		b, ok := v.(smithycbor.Bool)
		if !ok {
			c.fail(sch, v, errShape)
			return
		}
		s.WriteBool(sch, bool(b))
	case smithy.ShapeTypeByte, smithy.ShapeTypeShort, smithy.ShapeTypeInteger, smithy.ShapeTypeLong, smithy.ShapeTypeIntEnum:
		i, err := smithycbor.AsInt64(v)
		if err != nil {
			c.fail(sch, v, err)
			return
		}
		s.WriteInt64(sch, i)
	case smithy.ShapeTypeFloat, smithy.ShapeTypeDouble:
		f, err := smithycbor.AsFloat64(v)
		if err != nil {
			c.fail(sch, v, err)
			return
		}
		s.WriteFloat64(sch, f)
	case smithy.ShapeTypeTimestamp:
		t, err := smithycbor.AsTime(v)
		if err != nil {
			c.fail(sch, v, err)
			return
		}
		s.WriteTime(sch, t)
	case smithy.ShapeTypeBlob:
		b, ok := v.(smithycbor.Slice)
		if !ok {
			c.fail(sch, v, errShape)
			return
		}
		s.WriteBlob(sch, []byte(b))
	default:
		c.fail(sch, v, errors.New("shape type not translated"))
	}
}
