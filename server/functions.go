package server

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/portico-dev/portico/internal/lambda"
	"github.com/portico-dev/portico/internal/lambda/bootstrap"
	"github.com/portico-dev/portico/internal/lambda/watch"
)

// The user's Lambda functions, run by Portico itself (README, "Your Lambda
// code, locally"): --function NAME=COMMAND and --functions FILE become
// lambda.Functions, whose processes speak the Lambda Runtime API to
// Portico; the Invoke API (/2015-03-31/functions/...) is served on the
// listener, and integrations and authorizers call them in process when no
// --lambda-endpoint is given.

// functionSpecs reads the functions of the configuration.
func functionSpecs(cfg Config) ([]bootstrap.Spec, error) {
	var specs []bootstrap.Spec
	if cfg.FunctionsFile != "" {
		s, err := bootstrap.LoadFunctions(cfg.FunctionsFile)
		if err != nil {
			return nil, fmt.Errorf("--functions: %w", err)
		}
		specs = append(specs, s...)
	}
	for _, f := range cfg.Functions {
		s, err := bootstrap.ParseFlag(f)
		if err != nil {
			return nil, fmt.Errorf("--function %q: %w", f, err)
		}
		specs = append(specs, s)
	}
	seen := map[string]bool{}
	for _, s := range specs {
		if seen[s.Name] {
			return nil, fmt.Errorf("function %s is defined twice", s.Name)
		}
		seen[s.Name] = true
	}
	return specs, nil
}

// lambdaRuntimes are the Lambda runtime identifiers Portico's processes
// report (AWS_EXECUTION_ENV), for the built-in bootstraps.
var lambdaRuntimes = map[string]string{
	bootstrap.RuntimeNode:     "nodejs20.x",
	bootstrap.RuntimePython:   "python3.11",
	bootstrap.RuntimeProvided: "provided.al2023",
}

// startFunctions makes the Manager of the configuration's functions (none
// is fine: the Invoke API then answers ResourceNotFoundException), and
// starts --watch.
func (s *Server) startFunctions(specs []bootstrap.Spec) error {
	runtimesDir := ""
	if !s.cfg.InMemory {
		runtimesDir = filepath.Join(s.cfg.DataDir, "runtimes")
	}
	s.runtimes = bootstrap.NewRuntimes(runtimesDir)
	var fns []lambda.Function
	for _, spec := range specs {
		p, err := s.runtimes.For(spec)
		if err != nil {
			return fmt.Errorf("function %s: %w", spec.Name, err)
		}
		env := map[string]string{}
		for _, kv := range p.Env {
			if k, v, ok := strings.Cut(kv, "="); ok {
				env[k] = v
			}
		}
		for k, v := range spec.Environment {
			env[k] = v
		}
		fns = append(fns, lambda.Function{Name: spec.Name, Command: p.Argv, Dir: spec.Dir, Env: env, Handler: p.Handler,
			Timeout: spec.Timeout, MemoryMB: spec.MemorySize, MaxConcurrency: spec.MaxConcurrency,
			Runtime: lambdaRuntimes[p.Runtime]})
	}
	// What handler code needs to call back: Portico's endpoint (the AWS
	// SDKs read AWS_ENDPOINT_URL) and trust in its local CA, for the
	// https://{domainName}/{stage} management endpoint of AWS's samples.
	env := append([]string{"AWS_ENDPOINT_URL=" + s.URL}, s.ca.Env()...)
	m, err := lambda.New(lambda.Config{Functions: fns, Region: s.cfg.Region, Account: s.cfg.Account, Env: env,
		Logger: s.cfg.Logger, Logs: func(group, line string) { s.accessLogs.Write(group, []byte(line)) }, Metrics: s.metrics})
	if err != nil {
		return err
	}
	s.functions = m
	if s.cfg.Watch && len(fns) > 0 {
		s.watchFunctions(fns)
	}
	return nil
}

// watchFunctions restarts a function's processes when a file under its
// directory changes.
func (s *Server) watchFunctions(fns []lambda.Function) {
	byDir := map[string][]string{}
	var dirs []string
	for _, f := range fns {
		dir, err := filepath.Abs(f.Dir)
		if err != nil {
			continue
		}
		if byDir[dir] == nil {
			dirs = append(dirs, dir)
		}
		byDir[dir] = append(byDir[dir], f.Name)
	}
	var skip []string
	if !s.cfg.InMemory {
		if d, err := filepath.Abs(s.cfg.DataDir); err == nil {
			skip = append(skip, d)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.stopWatch = cancel
	w := watch.New(dirs, watch.Options{Skip: skip})
	go w.Run(ctx, func(dir string) {
		for _, name := range byDir[dir] {
			s.cfg.Logger.Info("files changed: restarting the function", "function", name, "dir", dir)
			s.functions.Restart(name)
		}
	})
}

// functionsClose stops --watch and every function process.
func (s *Server) functionsClose() {
	if s.stopWatch != nil {
		s.stopWatch()
	}
	if s.functions != nil {
		s.functions.Close()
	}
	if s.runtimes != nil {
		s.runtimes.Close()
	}
}
