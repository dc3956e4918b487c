package websocket

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/portico-dev/portico/internal/selectexpr"
	"github.com/portico-dev/portico/internal/vtl"
)

// Non-proxy integrations (MOCK, HTTP, AWS) run mapping templates: a
// request template, chosen by the integration's template selection
// expression, turns the message into what the backend receives; the
// backend's answer picks an integration response (by status code, or by a
// Lambda error message for AWS); that response's template, chosen by its
// own selection expression, turns the answer into what the client receives
// (docs/aws-behaviours.md#two-way, docs/aws-behaviours.md#templates).

// errUnsupportedMediaType: the passthrough behavior refused a message that
// no template matched (AWS answers 415).
var errUnsupportedMediaType = errors.New("no request template matches and the passthrough behavior refuses the message")

// compileTemplates parses templates once, at deploy time.
func compileTemplates(what string, src map[string]string) (map[string]*vtl.Template, error) {
	if len(src) == 0 {
		return nil, nil
	}
	out := make(map[string]*vtl.Template, len(src))
	for key, text := range src {
		t, err := vtl.Parse(text)
		if err != nil {
			return nil, fmt.Errorf("%s template %q: %w", what, key, err)
		}
		out[key] = t
	}
	return out, nil
}

// nonProxyAnswer is what a non-proxy integration produced for the client.
type nonProxyAnswer struct {
	status int    // the backend's (or the mock's) status
	body   string // after the response template
	send   bool   // false when no integration response matched
}

// invokeNonProxy runs a MOCK, HTTP or AWS integration with its templates.
func (p *Engine) invokeNonProxy(ctx context.Context, stage *Stage, in *stageIntegration, req *request) (result, error) {
	lookup := func(v string) (string, error) {
		if path, ok := strings.CutPrefix(v, "request.body"); ok && req.eventType == "MESSAGE" && req.docErr == nil {
			return selectexpr.JSONPath(req.doc, path), nil
		}
		return "", nil
	}
	tplIn := &vtl.Input{Body: req.body, Context: templateContext(stage, req), StageVariables: stage.stageVars}

	// The request side.
	payload := req.body
	tpl, err := in.requestTemplate(lookup)
	if err != nil {
		return result{}, err
	}
	if tpl != nil {
		if payload, err = tpl.Execute(ctx, tplIn, vtl.Limits{}); err != nil {
			return result{}, fmt.Errorf("request template: %w", err)
		}
		if req.ent.Capturing() {
			req.ent.AddTemplate("request:"+templateKey(in.requestTpl, tpl), payload)
		}
	}

	// CONVERT_TO_BINARY: the message is base64 text; the backend gets the
	// bytes (docs/aws-behaviours.md#templates).
	if in.contentHandling == "CONVERT_TO_BINARY" {
		b, err := base64.StdEncoding.DecodeString(payload)
		if err != nil {
			return result{}, fmt.Errorf("CONVERT_TO_BINARY: the payload is not base64: %w", err)
		}
		payload = string(b)
	}

	// The backend.
	var status int
	var header http.Header
	var body, selection string
	switch in.typ {
	case "MOCK":
		// The rendered request decides the status; what the response
		// template sees as $input is that same rendered request. [I] A
		// request without a statusCode gets the default response (200).
		status = mockStatus(payload)
		body = payload
		selection = strconv.Itoa(status)
		recordPayload(req.ent, payload, status, payload)
	case "HTTP":
		status, header, body, err = p.callHTTP(ctx, stage, in, req, payload)
		if err != nil {
			return result{}, err
		}
		selection = strconv.Itoa(status)
	case "AWS":
		out, fnErr, err := p.lambda.InvokeNonProxy(ctx, in.uri, []byte(payload))
		if err != nil {
			return result{}, err
		}
		recordPayload(req.ent, payload, http.StatusOK, string(out))
		status, body = http.StatusOK, string(out)
		// Integration responses of a Lambda match its error message;
		// success selects $default (docs/aws-behaviours.md#two-way).
		selection = fnErr
	default:
		return result{}, fmt.Errorf("integration type %s", in.typ)
	}

	// The response side.
	ir := in.selectResponse(selection)
	if ir == nil {
		// No integration response matches and there is no $default: [I]
		// nothing goes back (docs/aws-behaviours.md#two-way).
		return result{status: status, header: header}, nil
	}
	// CONVERT_TO_TEXT: the backend's answer goes on as base64 text. [I]
	// WebSocket frames are text, so it is applied whatever the answer is.
	if ir.contentHandling == "CONVERT_TO_TEXT" {
		body = base64.StdEncoding.EncodeToString([]byte(body))
	}
	out := body
	rtpl := ir.responseTemplate(func(v string) (string, error) {
		switch {
		case v == "integration.response.statuscode":
			return strconv.Itoa(status), nil
		case strings.HasPrefix(v, "integration.response.header."):
			return header.Get(strings.TrimPrefix(v, "integration.response.header.")), nil
		case strings.HasPrefix(v, "integration.response.multivalueheader."):
			return strings.Join(header.Values(strings.TrimPrefix(v, "integration.response.multivalueheader.")), ","), nil
		}
		return lookup(v)
	})
	if rtpl != nil {
		rin := *tplIn
		rin.Body = body
		if out, err = rtpl.Execute(ctx, &rin, vtl.Limits{}); err != nil {
			return result{}, fmt.Errorf("response template: %w", err)
		}
		if req.ent.Capturing() {
			req.ent.AddTemplate("response:"+templateKey(ir.responseTpl, rtpl), out)
		}
	}
	return result{status: status, header: header, body: []byte(out), hasBody: true}, nil
}

// requestTemplate picks the request template: the one named by the
// template selection expression, else $default. With none, the passthrough
// behavior decides: WHEN_NO_MATCH passes the message as it is,
// WHEN_NO_TEMPLATES only when there are no templates at all, NEVER never.
func (in *stageIntegration) requestTemplate(lookup func(string) (string, error)) (*vtl.Template, error) {
	if len(in.requestTpl) > 0 {
		key := "$default"
		if in.templateSelection != nil {
			k, err := in.templateSelection.Eval(lookup)
			if err != nil {
				return nil, err
			}
			key = k
		}
		if t, ok := in.requestTpl[key]; ok {
			return t, nil
		}
		if t, ok := in.requestTpl["$default"]; ok {
			return t, nil
		}
	}
	switch in.passthrough {
	case "NEVER":
		return nil, errUnsupportedMediaType
	case "WHEN_NO_TEMPLATES":
		if len(in.requestTpl) > 0 {
			return nil, errUnsupportedMediaType
		}
	}
	return nil, nil
}

// responseTemplate picks the integration response's template the same
// way; nil means the backend's answer goes back as it is.
func (ir *integrationResponse) responseTemplate(lookup func(string) (string, error)) *vtl.Template {
	if len(ir.responseTpl) == 0 {
		return nil
	}
	key := "$default"
	if ir.templateSelection != nil {
		if k, err := ir.templateSelection.Eval(lookup); err == nil {
			key = k
		}
	}
	if t, ok := ir.responseTpl[key]; ok {
		return t
	}
	return ir.responseTpl["$default"]
}

// mockStatus reads {"statusCode": N} from a rendered MOCK request.
func mockStatus(payload string) int {
	var v struct {
		StatusCode json.Number `json:"statusCode"`
	}
	if json.Unmarshal([]byte(payload), &v) != nil {
		return http.StatusOK
	}
	n, err := strconv.Atoi(v.StatusCode.String())
	if err != nil || n < 100 || n > 599 {
		return http.StatusOK
	}
	return n
}

// callHTTP sends the rendered request to an HTTP integration.
func (p *Engine) callHTTP(ctx context.Context, stage *Stage, in *stageIntegration, req *request, payload string) (int, http.Header, string, error) {
	method := in.method
	if method == "" || method == "ANY" {
		method = http.MethodPost
	}
	hr, err := http.NewRequestWithContext(ctx, method, in.uri, strings.NewReader(payload))
	if err != nil {
		return 0, nil, "", err
	}
	hr.Header.Set("Content-Type", "application/json")
	applyParameters(hr, in.requestParameters, stage, req)
	recordHTTPRequest(req.ent, hr, payload)
	resp, err := p.cfg.HTTPClient.Do(hr)
	if err != nil {
		return 0, nil, "", err
	}
	defer resp.Body.Close()
	b, err := readAnswer(resp.Body)
	if err != nil {
		return 0, nil, "", err
	}
	recordHTTPResponse(req.ent, resp, b)
	return resp.StatusCode, resp.Header, string(b), nil
}

// parseBody parses a message as JSON for selection expressions, once per
// message. (json.Unmarshal allocates half of what a json.Decoder does.)
func parseBody(body string) (any, error) {
	var doc any
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		return nil, err
	}
	return doc, nil
}

// templateContext is $context for a WebSocket template
// (docs/aws-behaviours.md#templates).
func templateContext(stage *Stage, req *request) map[string]any {
	c := req.conn
	ctx := map[string]any{
		"apiId":             stage.key.APIID,
		"connectedAt":       c.connectedAt.UnixMilli(),
		"connectionId":      c.id,
		"domainName":        c.domainName,
		"eventType":         req.eventType,
		"extendedRequestId": req.requestID,
		"requestId":         req.requestID,
		"requestTime":       req.start.UTC().Format(clfTime),
		"requestTimeEpoch":  req.start.UnixMilli(),
		"routeKey":          req.routeKey,
		"stage":             stage.key.Stage,
		"identity":          map[string]any{"sourceIp": c.identity.SourceIP, "userAgent": c.identity.UserAgent},
	}
	if req.messageID != "" {
		ctx["messageId"] = req.messageID
	}
	if c.authorizer != nil {
		ctx["authorizer"] = c.authorizer
	}
	return ctx
}
