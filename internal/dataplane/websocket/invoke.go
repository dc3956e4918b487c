package websocket

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/portico-dev/portico/internal/selectexpr"
	"github.com/portico-dev/portico/internal/vtl"

	"github.com/portico-dev/portico/internal/dataplane/gateway"
	"github.com/portico-dev/portico/internal/dataplane/integration"
	"github.com/portico-dev/portico/internal/inspect"
)

// request is one call of a route's integration: the $connect upgrade, a
// message, or the $disconnect after the socket closed.
type request struct {
	conn      *conn
	eventType string        // CONNECT, MESSAGE, DISCONNECT
	http      *http.Request // the upgrade request, for CONNECT
	body      string        // the message, for MESSAGE
	// doc is the message parsed as JSON, once, for every selection
	// expression; docErr says it is not JSON.
	doc       any
	docErr    error
	routeKey  string
	requestID string
	messageID string
	start     time.Time
	// ent is the event's inspector entry (nil: none).
	ent *inspect.Entry
}

// result is what an integration answered.
type result struct {
	status int
	header http.Header
	body   []byte
	// hasBody is false when a Lambda proxy result has no body member.
	hasBody bool
	// failure, when set, is the integration failure the client is told
	// about: failInternal or failTimeout.
	failure string
}

// The failures API Gateway reports in error frames
// (docs/aws-behaviours.md#error-frames).
const (
	failInternal = "Internal server error"
	failTimeout  = "Endpoint request timed out"
	// failUnsupportedMediaType: [I] AWS answers 415 when the passthrough
	// behavior refuses a message; on a socket it becomes this frame.
	failUnsupportedMediaType = "Unsupported Media Type"
)

// handleMessage routes one incoming message and sends what the route
// returns. Messages on a remote integration are handled in their own
// goroutine, so a slow backend does not hold up the connection (AWS
// processes messages asynchronously too, docs/aws-behaviours.md#two-way);
// MOCK messages are handled in order, inline.
func (p *Engine) handleMessage(c *conn, body string) {
	p.handleMessageWith(context.Background(), c, body, false)
}

// handleMessageWith is handleMessage; inline answers every message on
// the caller's goroutine (a replay, which waits for its entry), and ctx
// carries the replay's slot.
func (p *Engine) handleMessageWith(ctx context.Context, c *conn, body string, inline bool) {
	stage, err := p.stage(context.Background(), c.key)
	if err != nil {
		// The stage lost its deployment or was deleted under the
		// connection: nothing can serve it any more. [I]
		c.close(closeGoingAway, "Going away")
		return
	}
	req := &request{conn: c, eventType: "MESSAGE", body: body, requestID: gateway.RequestID(), start: time.Now()}
	req.messageID = req.requestID
	req.ent = p.startEntry(ctx, inspect.KindMessage, c, "", req.requestID, req.start)
	req.ent.AddFrameString("in", body)
	req.doc, req.docErr = parseBody(body)
	rt := stage.selectRoute(req.doc, req.docErr)
	if rt == nil {
		p.logEvent("MESSAGE", c, req.requestID, "", req.start, "failure", "no route")
		p.writeAccessLog(stage, req, http.StatusForbidden, "Forbidden")
		p.sendAnswer(req, errorFrame("Forbidden", c.id, req.requestID))
		p.finishEntry(req.ent, http.StatusForbidden)
		return
	}
	req.routeKey = rt.key
	if req.ent != nil {
		req.ent.RouteKey = rt.key
	}
	if !rt.bucket.Allow(req.start) {
		p.cfg.Metrics.Throttled(c.key.APIID, c.key.Stage, rt.key, "route")
		// [I]: AWS's frame for a throttled message is not documented; the
		// error frame with HTTP APIs' text.
		p.logEvent("MESSAGE", c, req.requestID, rt.key, req.start, "failure", "throttled")
		p.writeAccessLog(stage, req, http.StatusTooManyRequests, "Too Many Requests")
		p.sendAnswer(req, errorFrame("Too Many Requests", c.id, req.requestID))
		p.finishEntry(req.ent, http.StatusTooManyRequests)
		return
	}
	if !rt.validate(body) {
		p.logEvent("MESSAGE", c, req.requestID, rt.key, req.start, "failure", "Bad request body")
		p.writeAccessLog(stage, req, http.StatusBadRequest, "Bad request body")
		p.sendAnswer(req, badRequestBodyFrame(c.id, req.messageID))
		p.finishEntry(req.ent, http.StatusBadRequest)
		return
	}
	if rt.integration != nil && rt.integration.typ != "MOCK" {
		// At most maxInFlight messages of a connection wait on backends;
		// past that the read loop waits too, and so does the client.
		c.inFlight <- struct{}{}
		if inline {
			defer func() { <-c.inFlight }()
			p.answer(stage, rt, req)
			return
		}
		go func() {
			defer func() { <-c.inFlight }()
			p.answer(stage, rt, req)
		}()
		return
	}
	p.answer(stage, rt, req)
}

// sendAnswer sends a frame in answer to a message, and records it.
func (p *Engine) sendAnswer(req *request, frame []byte) {
	req.conn.send(frame)
	req.ent.AddFrame("out", frame)
}

func (p *Engine) answer(stage *Stage, rt *route, req *request) {
	res := p.invoke(context.Background(), stage, rt, req)
	status := res.status
	if res.failure != "" {
		status = http.StatusInternalServerError
	} else if status == 0 {
		status = http.StatusOK
	}
	// The lines are written before the answer goes out: a client that
	// closes on reading it would otherwise see its $disconnect logged
	// before the message it read.
	p.logEvent("MESSAGE", req.conn, req.requestID, rt.key, req.start, "status", res.status, "failure", res.failure)
	p.writeAccessLog(stage, req, status, res.failure)
	switch {
	case res.failure != "":
		// Error frames go out on one-way routes too
		// (docs/aws-behaviours.md#two-way).
		p.sendAnswer(req, errorFrame(res.failure, req.conn.id, req.requestID))
	case rt.twoWay && res.hasBody:
		p.sendAnswer(req, res.body)
	}
	p.finishEntry(req.ent, status)
}

// errorFrame is API Gateway's error frame, byte for byte: a space after
// "message": and after each comma, none after the other colons.
func errorFrame(msg, connectionID, requestID string) []byte {
	return []byte(`{"message": ` + strconv.Quote(msg) + `, "connectionId":` + strconv.Quote(connectionID) +
		`, "requestId":` + strconv.Quote(requestID) + `}`)
}

// badRequestBodyFrame is the model-validation failure frame, spaced as
// AWS's documentation shows it (docs/aws-behaviours.md#error-frames).
func badRequestBodyFrame(connectionID, messageID string) []byte {
	return []byte(`{"message" : "Bad request body", "connectionId": ` + strconv.Quote(connectionID) +
		`, "messageId": ` + strconv.Quote(messageID) + `}`)
}

// selectRoute evaluates the route selection expression on a parsed
// message. A message that is not JSON, or selects no route, goes to
// $default; nil when there is no $default either. $connect and
// $disconnect are never selected.
func (c *Stage) selectRoute(doc any, docErr error) *route {
	if docErr == nil {
		key, err := c.routeSelection.Eval(func(v string) (string, error) {
			path, ok := strings.CutPrefix(v, "request.body")
			if !ok {
				return "", nil
			}
			return selectexpr.JSONPath(doc, path), nil
		})
		if err == nil {
			if rt, ok := c.routes[key]; ok && key != "$default" {
				return rt
			}
		}
	}
	return c.routes["$default"]
}

// invoke runs a route's integration. A route without an integration
// cannot answer: [I] it is an integration failure, as AWS refuses to
// deploy such a route.
func (p *Engine) invoke(ctx context.Context, stage *Stage, rt *route, req *request) result {
	if req.start.IsZero() {
		req.start = time.Now()
	}
	if req.requestID == "" {
		req.requestID = gateway.RequestID()
	}
	if req.routeKey == "" {
		req.routeKey = rt.key
	}
	in := rt.integration
	if in == nil {
		return result{failure: failInternal}
	}
	ctx, cancel := context.WithTimeout(ctx, in.timeout)
	defer cancel()
	var res result
	var err error
	req.ent.SetIntegration(in.typ, in.uri)
	called := time.Now()
	switch in.typ {
	case "AWS_PROXY":
		res, err = p.invokeLambdaProxy(ctx, stage, in, req)
	case "HTTP_PROXY":
		res, err = p.invokeHTTPProxy(ctx, stage, in, req)
	default:
		res, err = p.invokeNonProxy(ctx, stage, in, req)
	}
	if req.ent != nil {
		req.ent.IntegrationLatency += time.Since(called)
		req.ent.IntegrationError(err)
	}
	if err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.Is(err, vtl.ErrTimeout) {
			return result{failure: failTimeout}
		}
		if errors.Is(err, errUnsupportedMediaType) {
			return result{failure: failUnsupportedMediaType}
		}
		p.cfg.Logger.Warn("integration failed", "api", stage.key.APIID, "stage", stage.key.Stage,
			"route", rt.key, "integration", in.id, "type", in.typ, "error", err)
		return result{failure: failInternal}
	}
	return res
}

// invokeHTTPProxy sends the message to the integration's URL and returns
// the backend's answer unchanged (docs/aws-behaviours.md#two-way).
func (p *Engine) invokeHTTPProxy(ctx context.Context, stage *Stage, in *stageIntegration, req *request) (result, error) {
	method := in.method
	if method == "" || method == "ANY" {
		method = http.MethodPost
	}
	var body io.Reader
	if req.eventType == "MESSAGE" {
		body = strings.NewReader(req.body)
	}
	hr, err := http.NewRequestWithContext(ctx, method, in.uri, body)
	if err != nil {
		return result{}, err
	}
	if req.eventType == "CONNECT" {
		for k, vs := range req.http.Header {
			if !hopByHop(k) {
				hr.Header[k] = vs
			}
		}
		hr.URL.RawQuery = req.http.URL.RawQuery
	}
	applyParameters(hr, in.requestParameters, stage, req)
	recordHTTPRequest(req.ent, hr, req.body)
	resp, err := p.cfg.HTTPClient.Do(hr)
	if err != nil {
		return result{}, err
	}
	defer resp.Body.Close()
	b, err := readAnswer(resp.Body)
	if err != nil {
		return result{}, err
	}
	recordHTTPResponse(req.ent, resp, b)
	return result{status: resp.StatusCode, header: resp.Header, body: b, hasBody: true}, nil
}

// readAnswer reads an HTTP backend's answer whole, or fails: an answer
// over 128 KB cannot go out as one message, and a cut one would be a
// different message (docs/architecture.md#bounded-reads: never a truncated
// answer). [I] AWS documents no such error; the limit is its message quota
// (docs/aws-behaviours.md#websocket-limits), applied to every event,
// $connect's included.
func readAnswer(r io.Reader) ([]byte, error) {
	return integration.ReadAll(r, maxMessage, "the backend's answer (the WebSocket message limit)")
}

// hopByHop headers of the upgrade are not forwarded to a backend.
func hopByHop(h string) bool {
	switch http.CanonicalHeaderKey(h) {
	case "Connection", "Upgrade", "Sec-Websocket-Key", "Sec-Websocket-Version", "Sec-Websocket-Extensions",
		"Keep-Alive", "Transfer-Encoding", "Te", "Trailer", "Proxy-Authorization", "Content-Length":
		return true
	}
	return false
}

// lambdaResult is a Lambda proxy result for a WebSocket route.
type lambdaResult struct {
	StatusCode        *int                `json:"statusCode"`
	Headers           map[string]string   `json:"headers"`
	MultiValueHeaders map[string][]string `json:"multiValueHeaders"`
	Body              *string             `json:"body"`
	IsBase64Encoded   bool                `json:"isBase64Encoded"`
}

// invokeLambdaProxy calls the function with the WebSocket event
// (docs/aws-behaviours.md#events) and reads its {statusCode, headers, body}
// answer.
func (p *Engine) invokeLambdaProxy(ctx context.Context, stage *Stage, in *stageIntegration, req *request) (result, error) {
	event, err := json.Marshal(newEvent(stage, req))
	if err != nil {
		return result{}, err
	}
	out, err := p.lambda.Invoke(ctx, in.uri, event)
	recordLambda(req.ent, event, out, err)
	if err != nil {
		return result{}, err
	}
	var lr lambdaResult
	dec := json.NewDecoder(bytes.NewReader(out))
	if err := dec.Decode(&lr); err != nil {
		if bytes.Equal(bytes.TrimSpace(out), []byte("null")) || len(bytes.TrimSpace(out)) == 0 {
			// A function that returns nothing: a 200 with no body. [I]
			return result{status: http.StatusOK}, nil
		}
		return result{}, errors.New("the Lambda proxy result is not a JSON object: " + err.Error())
	}
	res := result{status: http.StatusOK, header: http.Header{}}
	if lr.StatusCode != nil {
		res.status = *lr.StatusCode
	}
	for k, v := range lr.Headers {
		res.header.Set(k, v)
	}
	if lr.Body != nil {
		res.body, res.hasBody = []byte(*lr.Body), true
		if lr.IsBase64Encoded {
			b, err := base64.StdEncoding.DecodeString(*lr.Body)
			if err != nil {
				return result{}, errors.New("the Lambda proxy result says isBase64Encoded but its body is not base64")
			}
			res.body = b
		}
	}
	return res, nil
}
