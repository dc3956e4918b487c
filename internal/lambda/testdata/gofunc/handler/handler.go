// Package handler is the test function's handler, apart from its main so
// that a benchmark can call the very same function in process.
package handler

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
)

// Event says what to do; the default is to echo.
type Event struct {
	Action  string   `json:"action"`
	Message string   `json:"message,omitempty"`
	Ms      int      `json:"ms,omitempty"`
	Code    int      `json:"code,omitempty"`
	Path    string   `json:"path,omitempty"`
	Size    int      `json:"size,omitempty"`
	Vars    []string `json:"vars,omitempty"`
}

// Result is what the handler answers.
type Result struct {
	Action        string            `json:"action"`
	Message       string            `json:"message,omitempty"`
	RequestID     string            `json:"requestId"`
	FunctionARN   string            `json:"functionArn"`
	DeadlineMs    int64             `json:"deadlineMs"`
	TraceID       string            `json:"traceId"`
	ClientContext map[string]string `json:"clientContext,omitempty"`
	PID           int               `json:"pid"`
	Env           map[string]string `json:"env,omitempty"`
	Data          string            `json:"data,omitempty"`
}

// Handle runs one event.
func Handle(ctx context.Context, ev Event) (*Result, error) {
	res := &Result{Action: ev.Action, Message: ev.Message, PID: os.Getpid()}
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		res.RequestID = lc.AwsRequestID
		res.FunctionARN = lc.InvokedFunctionArn
		res.ClientContext = lc.ClientContext.Custom
	}
	if d, ok := ctx.Deadline(); ok {
		res.DeadlineMs = d.UnixMilli()
	}
	if v, ok := ctx.Value("x-amzn-trace-id").(string); ok {
		res.TraceID = v
	}
	switch ev.Action {
	case "", "echo":
	case "print":
		fmt.Println(ev.Message)
		log.Printf("to stderr: %s", ev.Message)
		os.Stdout.WriteString("no newline at the end")
	case "error":
		return nil, errors.New(ev.Message)
	case "panic":
		panic(ev.Message)
	case "exit":
		os.Exit(ev.Code)
	case "sleep":
		time.Sleep(time.Duration(ev.Ms) * time.Millisecond)
	case "wait":
		// Until the test creates the file: a hold with no timing in it.
		for {
			if _, err := os.Stat(ev.Path); err == nil {
				break
			}
			time.Sleep(2 * time.Millisecond)
		}
	case "write":
		if err := os.WriteFile(ev.Path, []byte(ev.Message), 0o600); err != nil {
			return nil, err
		}
	case "big":
		res.Data = strings.Repeat("x", ev.Size)
	case "env":
		res.Env = map[string]string{}
		for _, kv := range os.Environ() {
			k, v, _ := strings.Cut(kv, "=")
			res.Env[k] = v
		}
	case "spawn":
		// A child in the process's group, like a script's background job.
		cmd := exec.Command("sleep", "300")
		if err := cmd.Start(); err != nil {
			return nil, err
		}
		if err := os.WriteFile(ev.Path, []byte(strconv.Itoa(cmd.Process.Pid)), 0o600); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("unknown action %q", ev.Action)
	}
	return res, nil
}
