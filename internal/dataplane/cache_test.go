package dataplane

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/portico-dev/portico/internal/apigw"
	"github.com/portico-dev/portico/internal/dataplane/gateway"
	"github.com/portico-dev/portico/internal/store"
)

// fakeSource serves one WebSocket API whose deployment id the test sets;
// LoadStage can be held until the test releases it.
type fakeSource struct {
	mu         sync.Mutex
	deployment string
	hold       chan struct{} // when set, LoadStage waits on it
	loads      atomic.Int32
	watch      func(apigw.Change)
}

func (f *fakeSource) LocateAPI(context.Context, string, store.Scope) (apigw.APILocation, error) {
	return apigw.APILocation{Scope: store.Scope{Account: "000000000000", Region: "us-east-1"}, Protocol: "WEBSOCKET"}, nil
}

func (f *fakeSource) LoadStage(ctx context.Context, sc store.Scope, apiID, stage string) (*apigw.Stage, *apigw.Snapshot, error) {
	f.loads.Add(1)
	f.mu.Lock()
	dep, hold := f.deployment, f.hold
	f.mu.Unlock()
	if hold != nil {
		<-hold
	}
	ws, sel := "WEBSOCKET", "$request.body.action"
	return &apigw.Stage{StageName: &stage, DeploymentId: &dep},
		&apigw.Snapshot{Api: apigw.Api{ProtocolType: &ws, RouteSelectionExpression: &sel}}, nil
}

func (f *fakeSource) LoadDomain(context.Context, string, store.Scope) (*apigw.Domain, error) {
	return nil, store.ErrNotFound
}

func (f *fakeSource) Watch(fn func(apigw.Change)) func() { f.watch = fn; return func() {} }

func (f *fakeSource) set(dep string, hold chan struct{}) {
	f.mu.Lock()
	f.deployment, f.hold = dep, hold
	f.mu.Unlock()
}

func deploymentOf(t *testing.T, p *Plane, k gateway.StageKey) string {
	t.Helper()
	c, err := p.cache.stage(context.Background(), k)
	if err != nil {
		t.Fatal(err)
	}
	return c.ws.DeploymentID()
}

// TestChangeDuringCompile is the defect where a change announced while a
// stage was compiling left the old deployment in the cache: the compile
// read the store before the change and stored its result after it.
func TestChangeDuringCompile(t *testing.T) {
	src := &fakeSource{}
	p := New(Config{Source: src})
	k := gateway.StageKey{Scope: store.Scope{Account: "000000000000", Region: "us-east-1"}, APIID: "api", Stage: "dev"}

	hold := make(chan struct{})
	src.set("old", hold)
	first := make(chan string)
	go func() { first <- deploymentOf(t, p, k) }()
	for src.loads.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	// The change commits and is announced while the compile still holds
	// what it read before.
	src.set("new", nil)
	src.watch(apigw.Change{Scope: k.Scope, APIID: k.APIID})
	close(hold)
	if got := <-first; got != "old" {
		t.Fatalf("the request that started the compile got %q", got)
	}
	if got := deploymentOf(t, p, k); got != "new" {
		t.Errorf("after the change the stage serves deployment %q, want new", got)
	}
}

// TestColdStageCompiledOnce: requests racing on a cold stage wait for one
// compile.
func TestColdStageCompiledOnce(t *testing.T) {
	src := &fakeSource{}
	p := New(Config{Source: src})
	k := gateway.StageKey{Scope: store.Scope{Account: "000000000000", Region: "us-east-1"}, APIID: "api", Stage: "dev"}
	hold := make(chan struct{})
	src.set("d1", hold)
	var wg sync.WaitGroup
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if got := deploymentOf(t, p, k); got != "d1" {
				t.Errorf("got %q", got)
			}
		}()
	}
	time.Sleep(20 * time.Millisecond)
	close(hold)
	wg.Wait()
	if n := src.loads.Load(); n != 1 {
		t.Errorf("the stage was loaded %d times, want 1", n)
	}
	// A change makes the next request compile again, once.
	src.set("d2", nil)
	src.watch(apigw.Change{Scope: k.Scope, APIID: k.APIID})
	if got := deploymentOf(t, p, k); got != "d2" || src.loads.Load() != 2 {
		t.Errorf("after a change: %q, %d loads", got, src.loads.Load())
	}
}
