package bootstrap

import (
	"testing"
)

// The built-in runtimes' own cost, against the test's Runtime API fake:
// a warm invocation (event out, result back) and a cold start (process
// start to the first result). Run with: go test -run NONE -bench . ./internal/lambda/bootstrap

func benchmarkWarm(b *testing.B, spec, dir string) {
	p := startRuntime(b, spec, dir)
	p.invoke(`{}`, nil) // loaded
	b.ResetTimer()
	for range b.N {
		if got := p.invoke(`{"n":1}`, nil); got.kind != "response" {
			b.Fatalf("%s %s", got.kind, got.body)
		}
	}
}

func benchmarkCold(b *testing.B, spec, dir string) {
	for range b.N {
		p := startRuntime(b, spec, dir)
		if got := p.invoke(`{}`, nil); got.kind != "response" {
			b.Fatalf("%s %s", got.kind, got.body)
		}
		b.StopTimer()
		p.cmd.Process.Kill()
		<-p.exited
		b.StartTimer()
	}
}

func BenchmarkNodeWarm(b *testing.B)   { benchmarkWarm(b, "node:module.handler", nodeDir) }
func BenchmarkPythonWarm(b *testing.B) { benchmarkWarm(b, "python:app.handler", pythonDir) }
func BenchmarkNodeCold(b *testing.B)   { benchmarkCold(b, "node:module.handler", nodeDir) }
func BenchmarkPythonCold(b *testing.B) { benchmarkCold(b, "python:app.handler", pythonDir) }
