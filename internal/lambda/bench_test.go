package lambda

import (
	"context"
	"runtime"
	"testing"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/portico-dev/portico/internal/lambda/testdata/gofunc/handler"
)

// The cost of running a handler as a Lambda function here: the same Go
// handler, warm, through Manager.Invoke (a process, its Runtime API, two
// loopback HTTP exchanges), through the Invoke API with the SDK, and
// called in process through aws-lambda-go's own handler wrapper (the
// same JSON decoding and encoding, no process). Run with
// go test -run '^$' -bench . ./internal/lambda/

var benchEvent = []byte(`{"action":"echo","message":"hello"}`)

func BenchmarkInProcess(b *testing.B) {
	h := lambda.NewHandler(handler.Handle)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := h.Invoke(ctx, benchEvent); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "inv/s")
}

func BenchmarkInvokeWarm(b *testing.B) {
	m, _ := testManager(b, Config{Logs: func(string, string) {}, Functions: []Function{{Name: "f"}}})
	ctx := context.Background()
	invoke(b, m, "f", map[string]any{}, InvokeOptions{}) // warm it
	b.ReportAllocs()
	for b.Loop() {
		res, err := m.Invoke(ctx, "f", benchEvent, InvokeOptions{})
		if err != nil || res.FunctionError != "" {
			b.Fatal(err, string(res.Payload))
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "inv/s")
	if s := stats(b, m, "f"); s.Started != 1 {
		b.Errorf("%d processes", s.Started)
	}
}

// BenchmarkInvokeWarmParallel: four callers, four warm processes.
func BenchmarkInvokeWarmParallel(b *testing.B) {
	m, _ := testManager(b, Config{Logs: func(string, string) {}, Functions: []Function{{Name: "f", MaxConcurrency: 4}}})
	ctx := context.Background()
	b.SetParallelism(4 / max(1, testingGOMAXPROCS()))
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			res, err := m.Invoke(ctx, "f", benchEvent, InvokeOptions{})
			if err != nil || res.FunctionError != "" {
				b.Error(err, string(res.Payload))
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "inv/s")
}

func BenchmarkInvokeSDK(b *testing.B) {
	m, _ := testManager(b, Config{Logs: func(string, string) {}, Functions: []Function{{Name: "f"}}})
	client, _ := sdkClient(b, m)
	ctx := context.Background()
	in := &awslambda.InvokeInput{FunctionName: aws.String("f"), Payload: benchEvent}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := client.Invoke(ctx, in); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "inv/s")
}

// BenchmarkColdStart: an invocation that starts its process (fork/exec of
// the Go binary, its init, the first `next`).
func BenchmarkColdStart(b *testing.B) {
	m, _ := testManager(b, Config{Logs: func(string, string) {}, Functions: []Function{{Name: "f"}}})
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		m.Restart("f")
		waitFor(b, "no process", func() bool { return stats(b, m, "f").Processes == 0 })
		b.StartTimer()
		if _, err := m.Invoke(ctx, "f", benchEvent, InvokeOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

func testingGOMAXPROCS() int { return runtime.GOMAXPROCS(0) }
