package websocket_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/gobwas/ws"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// TestEventGoldenFiles records the CONNECT, MESSAGE and DISCONNECT events
// of one connection and compares them, with ids, times and ports replaced
// by placeholders, to testdata/events/*.json. The golden files follow the
// real captures named in docs/aws-behaviours.md#events (member names,
// nesting, types); regenerate them with -update after a deliberate change,
// and read the diff.
func TestEventGoldenFiles(t *testing.T) {
	e := newEnv(t, nil)
	api := e.wsAPI(t)
	fn := e.lambdaProxy(t, api, "events")
	e.route(t, api, "$connect", fn, false)
	e.route(t, api, "$disconnect", fn, false)
	e.route(t, api, "send", fn, true)
	e.deploy(t, api, "prod")
	c, err := e.dial(t, e.wsURL(api, "prod")+"?room=lobby", http.Header{"User-Agent": {"golden-test"}, "X-Trace": {"a", "b"}})
	must(t, err)
	c.send(`{"action":"send","text":"hello"}`)
	c.mustRead()
	c.sendFrame(ws.NewCloseFrame(ws.NewCloseFrameBody(ws.StatusNormalClosure, "")))
	c.read(2 * time.Second)
	waitCalls(t, e, 3)

	normalize := []struct {
		re   *regexp.Regexp
		with string
	}{
		{regexp.MustCompile(`"(connectionId|requestId|extendedRequestId|messageId)": "[A-Za-z0-9_=-]{16}"`), `"$1": "<ID>"`},
		{regexp.MustCompile(`"(connectedAt|requestTimeEpoch)": \d+`), `"$1": 0`},
		{regexp.MustCompile(`"requestTime": "[^"]+"`), `"requestTime": "<CLF TIME>"`},
		{regexp.MustCompile(`127\.0\.0\.1:\d+`), `127.0.0.1:<PORT>`},
		{regexp.MustCompile(`"X-Forwarded-Port": (\[\s*)?"\d+"`), `"X-Forwarded-Port": $1"<PORT>"`},
		{regexp.MustCompile(`Root=1-[0-9a-f]{8}-[0-9a-f]{24}`), `Root=<TRACE>`},
		{regexp.MustCompile(regexp.QuoteMeta(api)), `<APIID>`},
		{regexp.MustCompile(`"Sec-Websocket-Key": (\[\s*)?"[^"]+"`), `"Sec-Websocket-Key": $1"<KEY>"`},
	}
	for i, name := range []string{"connect", "message", "disconnect"} {
		var pretty bytes.Buffer
		must(t, json.Indent(&pretty, e.lambda.Calls()[i].Event, "", "  "))
		got := pretty.Bytes()
		for _, n := range normalize {
			got = n.re.ReplaceAll(got, []byte(n.with))
		}
		got = append(got, '\n')
		path := filepath.Join("testdata", "events", name+".json")
		if *update {
			must(t, os.WriteFile(path, got, 0o644))
			continue
		}
		want, err := os.ReadFile(path)
		must(t, err)
		if !bytes.Equal(got, want) {
			t.Errorf("%s event differs from %s:\n%s", name, path, got)
		}
	}
}
