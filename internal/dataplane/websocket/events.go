package websocket

import (
	"crypto/rand"
	"fmt"
	"net"
	"net/http"
	"time"
)

// The Lambda proxy events of WebSocket routes, in the shapes of the real
// captures named in docs/aws-behaviours.md#events. Members AWS leaves out
// are left out (omitempty), not sent as null.

type wsEvent struct {
	Headers                         map[string]string   `json:"headers,omitempty"`
	MultiValueHeaders               map[string][]string `json:"multiValueHeaders,omitempty"`
	QueryStringParameters           map[string]string   `json:"queryStringParameters,omitempty"`
	MultiValueQueryStringParameters map[string][]string `json:"multiValueQueryStringParameters,omitempty"`
	RequestContext                  wsRequestContext    `json:"requestContext"`
	Body                            *string             `json:"body,omitempty"`
	IsBase64Encoded                 bool                `json:"isBase64Encoded"`
}

type wsRequestContext struct {
	RouteKey             string         `json:"routeKey"`
	MessageID            string         `json:"messageId,omitempty"`
	DisconnectStatusCode *int           `json:"disconnectStatusCode,omitempty"`
	EventType            string         `json:"eventType"`
	ExtendedRequestID    string         `json:"extendedRequestId"`
	RequestTime          string         `json:"requestTime"`
	MessageDirection     string         `json:"messageDirection"`
	DisconnectReason     *string        `json:"disconnectReason,omitempty"`
	Stage                string         `json:"stage"`
	ConnectedAt          int64          `json:"connectedAt"`
	RequestTimeEpoch     int64          `json:"requestTimeEpoch"`
	Identity             identity       `json:"identity"`
	Authorizer           map[string]any `json:"authorizer,omitempty"`
	RequestID            string         `json:"requestId"`
	DomainName           string         `json:"domainName"`
	ConnectionID         string         `json:"connectionId"`
	APIID                string         `json:"apiId"`
}

// clfTime is the Common Log Format time of requestTime.
const clfTime = "02/Jan/2006:15:04:05 -0700"

func newEvent(stage *Stage, req *request) *wsEvent {
	c := req.conn
	ev := &wsEvent{RequestContext: wsRequestContext{
		RouteKey:          req.routeKey,
		EventType:         req.eventType,
		ExtendedRequestID: req.requestID,
		RequestTime:       req.start.UTC().Format(clfTime),
		MessageDirection:  "IN",
		Stage:             stage.key.Stage,
		ConnectedAt:       c.connectedAt.UnixMilli(),
		RequestTimeEpoch:  req.start.UnixMilli(),
		Identity:          c.identity,
		Authorizer:        c.authorizer,
		RequestID:         req.requestID,
		DomainName:        c.domainName,
		ConnectionID:      c.id,
		APIID:             stage.key.APIID,
	}}
	switch req.eventType {
	case "CONNECT":
		ev.Headers, ev.MultiValueHeaders = headerMaps(req.http, c)
		if q := req.http.URL.Query(); len(q) > 0 {
			ev.QueryStringParameters = map[string]string{}
			ev.MultiValueQueryStringParameters = map[string][]string(q)
			for k, vs := range q {
				ev.QueryStringParameters[k] = vs[len(vs)-1]
			}
		}
	case "MESSAGE":
		ev.RequestContext.MessageID = req.messageID
		body := req.body
		ev.Body = &body
	case "DISCONNECT":
		// What AWS sends after the socket is gone (2024 capture).
		ev.Headers = map[string]string{"Host": c.domainName, "x-api-key": "", "X-Forwarded-For": "", "x-restapi": ""}
		ev.MultiValueHeaders = map[string][]string{"Host": {c.domainName}, "x-api-key": {""}, "X-Forwarded-For": {""}, "x-restapi": {""}}
		code, reason := c.closeCode, c.closeReason
		ev.RequestContext.DisconnectStatusCode = &code
		ev.RequestContext.DisconnectReason = &reason
	}
	return ev
}

// headerMaps renders the upgrade request's headers as API Gateway does:
// the last value of each in headers, all of them in multiValueHeaders,
// with Host among them and the headers AWS's front end adds
// (X-Forwarded-*, X-Amzn-Trace-Id). Go gives header names in canonical
// case ("Sec-Websocket-Key"); AWS keeps the client's.
func headerMaps(r *http.Request, c *conn) (map[string]string, map[string][]string) {
	single := map[string]string{"Host": r.Host}
	multi := map[string][]string{"Host": {r.Host}}
	for k, vs := range r.Header {
		// The hop-by-hop upgrade headers stop at API Gateway's front end.
		if len(vs) == 0 || k == "Connection" || k == "Upgrade" {
			continue
		}
		single[k] = vs[len(vs)-1]
		multi[k] = vs
	}
	port := "80"
	if la, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
		if _, p, err := net.SplitHostPort(la.String()); err == nil {
			port = p
		}
	}
	added := map[string]string{
		"X-Forwarded-For":   c.identity.SourceIP,
		"X-Forwarded-Port":  port,
		"X-Forwarded-Proto": "http",
		"X-Amzn-Trace-Id":   traceID(c.connectedAt),
	}
	for k, v := range added {
		if _, ok := single[k]; !ok {
			single[k], multi[k] = v, []string{v}
		}
	}
	return single, multi
}

// traceID is an X-Ray trace id: Root=1-{epoch seconds, hex}-{96 random bits}.
func traceID(t time.Time) string {
	var b [12]byte
	rand.Read(b[:])
	return fmt.Sprintf("Root=1-%08x-%x", t.Unix(), b)
}
