// Package lambdatest is a small in-process server that speaks the Lambda
// Invoke API (POST /2015-03-31/functions/{name}/invocations), for tests of
// AWS and AWS_PROXY integrations: it records every event and answers with
// what the test's handler returns.
package lambdatest

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
)

// Invocation is one recorded call.
type Invocation struct {
	Function string
	Event    json.RawMessage
}

// Handler answers an invocation: the result payload, or an error message
// reported as a function error (X-Amz-Function-Error: Unhandled).
type Handler func(function string, event []byte) (result any, errMessage string)

// Server is a running fake Lambda service.
type Server struct {
	URL string

	srv     *httptest.Server
	mu      sync.Mutex
	handler Handler
	calls   []Invocation
	quiet   bool // record nothing (load tests)
	notify  chan struct{}
}

// New starts a fake Lambda service on loopback.
func New(h Handler) *Server {
	s := &Server{handler: h, notify: make(chan struct{}, 1024)}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	return s
}

// NewQuiet starts a fake that records no invocations, for load: on addr
// ("" or "127.0.0.1:0" for a free port on loopback).
func NewQuiet(h Handler, addr string) *Server {
	s := &Server{handler: h, quiet: true, notify: make(chan struct{}, 1)}
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	if addr != "" {
		if ln, err := net.Listen("tcp", addr); err == nil {
			s.srv.Listener.Close()
			s.srv.Listener = ln
		}
	}
	s.srv.Start()
	s.URL = s.srv.URL
	return s
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// SetHandler replaces the handler.
func (s *Server) SetHandler(h Handler) {
	s.mu.Lock()
	s.handler = h
	s.mu.Unlock()
}

// Calls returns the invocations so far.
func (s *Server) Calls() []Invocation {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Invocation(nil), s.calls...)
}

// Notify receives a value after each invocation.
func (s *Server) Notify() <-chan struct{} { return s.notify }

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.EscapedPath(), "/2015-03-31/functions/")
	name, ok2 := strings.CutSuffix(rest, "/invocations")
	if !ok || !ok2 || r.Method != http.MethodPost {
		w.Header().Set("x-amzn-ErrorType", "ResourceNotFoundException")
		http.Error(w, `{"message":"not a Lambda Invoke request"}`, http.StatusNotFound)
		return
	}
	fn, _ := url.PathUnescape(name)
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	if !s.quiet {
		s.calls = append(s.calls, Invocation{Function: fn, Event: body})
	}
	h := s.handler
	s.mu.Unlock()
	select {
	case s.notify <- struct{}{}:
	default:
	}
	result, errMsg := h(fn, body)
	if errMsg != "" {
		w.Header().Set("X-Amz-Function-Error", "Unhandled")
		json.NewEncoder(w).Encode(map[string]string{"errorMessage": errMsg, "errorType": "Error"})
		return
	}
	if raw, ok := result.(json.RawMessage); ok {
		w.Write(raw)
		return
	}
	json.NewEncoder(w).Encode(result)
}
