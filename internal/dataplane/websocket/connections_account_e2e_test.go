package websocket_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"
)

// TestConnectionsAccountIsolation: a management call signed as another
// account is refused with 403 ForbiddenException, whatever the method and
// however it is signed, and changes nothing; the API's own account, an
// unsigned call and a non-account key such as "test" (local development)
// are served.
func TestConnectionsAccountIsolation(t *testing.T) {
	e := newEnv(t, nil)
	e.c = e.clientAs("111111111111") // the API belongs to account 111111111111
	api := whoamiAPI(t, e)
	c, id := connectedClient(t, e, api)
	calls := len(e.lambda.Calls())

	for _, intruder := range []signing{{key: "222222222222"}, {key: "222222222222", presign: true}} {
		for _, m := range []string{"POST", "GET", "DELETE"} {
			for _, target := range []string{id, "AAAAAAAAAAAAAAA="} { // IAM is asked before the id is looked up
				resp := mgmtAs(t, e, intruder, m, api, target, []byte("intruder"))
				body, _ := io.ReadAll(resp.Body)
				var msg struct{ Message string }
				json.Unmarshal(body, &msg)
				want := fmt.Sprintf("User: arn:aws:iam::222222222222:root is not authorized to perform: execute-api:ManageConnections"+
					" on resource: arn:aws:execute-api:us-east-1:********1111:%s/prod/%s/@connections/%s", api, m, target)
				if resp.StatusCode != 403 || resp.Header.Get("x-amzn-ErrorType") != "ForbiddenException" || msg.Message != want {
					t.Errorf("%s %s as %v: %d %s %s\nwant 403 ForbiddenException %q", m, target, intruder,
						resp.StatusCode, resp.Header.Get("x-amzn-ErrorType"), body, want)
				}
			}
		}
	}
	// Nothing reached the client, nothing closed it.
	if msg, _, err := c.read(300 * time.Millisecond); !errors.Is(err, errNothing) {
		t.Fatalf("after the refused calls the client read %q, %v; want nothing", msg, err)
	}
	if n := len(e.lambda.Calls()); n != calls {
		t.Fatalf("%d integration calls after the refused calls, want %d (no $disconnect)", n, calls)
	}

	owner := signing{key: "111111111111"}
	for i, s := range []signing{owner, {key: owner.key, presign: true}, {}, {key: "test"}} {
		if resp := mgmtAs(t, e, s, "GET", api, id, nil); resp.StatusCode != 200 {
			t.Errorf("GET as %v: %d", s, resp.StatusCode)
		}
		data := fmt.Sprintf("from %v %d", s, i)
		if resp := mgmtAs(t, e, s, "POST", api, id, []byte(data)); resp.StatusCode != 200 {
			t.Fatalf("POST as %v: %d", s, resp.StatusCode)
		}
		if got := c.mustRead(); got != data {
			t.Fatalf("POST as %v: the client got %q", s, got)
		}
	}
	if resp := mgmtAs(t, e, owner, "DELETE", api, id, nil); resp.StatusCode != 204 {
		t.Fatalf("DELETE as the owner: %d", resp.StatusCode)
	}
	var cl closed
	if _, _, err := c.read(2 * time.Second); !errors.As(err, &cl) {
		t.Fatalf("after the owner's DELETE the client read %v, want a close frame", err)
	}
	// The unknown-id check stays for the owner: 410.
	if resp := mgmtAs(t, e, owner, "GET", api, id, nil); resp.StatusCode != 410 || !strings.Contains(resp.Header.Get("x-amzn-ErrorType"), "Gone") {
		t.Errorf("GET as the owner after DELETE: %d %s", resp.StatusCode, resp.Header.Get("x-amzn-ErrorType"))
	}
}
