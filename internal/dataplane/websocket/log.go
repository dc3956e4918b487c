package websocket

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"
)

// Data-plane traffic at --log-level debug: one line per connect, message
// and disconnect, with the request id, API, stage, route, outcome and
// latency. Integration failures are warnings at every level (invoke).

func (p *Engine) logEvent(event string, c *conn, requestID, routeKey string, start time.Time, attrs ...any) {
	if !p.cfg.Logger.Enabled(context.Background(), slog.LevelDebug) {
		return
	}
	args := append([]any{"event", event, "requestId", requestID, "api", c.key.APIID, "stage", c.key.Stage,
		"connectionId", c.id, "route", routeKey, "latency", time.Since(start)}, attrs...)
	p.cfg.Logger.Debug("websocket", args...)
}

// writeAccessLog writes the access log line of one event of a stage with
// access logs: $context as templates see it (templateContext) and what
// happened (docs/aws-behaviours.md#access-logs).
func (p *Engine) writeAccessLog(stage *Stage, req *request, status int, failure string) {
	if stage == nil || stage.accessLog == nil || p.cfg.AccessLog == nil {
		return
	}
	ctx := templateContext(stage, req)
	lookup := func(name string) (string, bool) {
		switch name {
		case "status":
			if status == 0 {
				return "", false
			}
			return strconv.Itoa(status), true
		case "error.message", "integrationErrorMessage":
			return failure, failure != ""
		case "responseLatency", "integrationLatency":
			return strconv.FormatInt(time.Since(req.start).Milliseconds(), 10), true
		}
		var v any = ctx
		for part := range strings.SplitSeq(name, ".") {
			m, ok := v.(map[string]any)
			if !ok {
				return "", false
			}
			if v, ok = m[part]; !ok {
				return "", false
			}
		}
		if v == nil {
			return "", false
		}
		return fmt.Sprint(v), true
	}
	line := stage.accessLog.Render(nil, lookup)
	p.cfg.AccessLog.Write(stage.accessGroup, line)
}
