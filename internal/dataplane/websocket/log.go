package websocket

import (
	"context"
	"log/slog"
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
