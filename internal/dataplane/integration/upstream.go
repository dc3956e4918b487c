package integration

import (
	"fmt"
	"io"
	"net/http"
	"time"
)

// NewHTTPClient is the client integrations call backends with. They call
// few hosts very often: it keeps many idle connections per host (the
// default keeps 2, which turns a busy route into a new TCP connection per
// request). It has no overall timeout: each call has its integration's.
func NewHTTPClient() *http.Client {
	return &http.Client{
		Transport: &http.Transport{
			Proxy:               http.ProxyFromEnvironment,
			MaxIdleConns:        4096,
			MaxIdleConnsPerHost: 1024,
			IdleConnTimeout:     90 * time.Second,
		},
		// A backend's redirect is its answer: API Gateway passes it on.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// TooLargeError: an upstream answer over the limit of what may carry it.
// An answer is never cut (docs/architecture.md#bounded-reads): a cut
// answer would be a different answer.
type TooLargeError struct {
	What  string
	Limit int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s exceeds the limit of %d bytes", e.What, e.Limit)
}

// ReadAll reads r whole, or fails with a *TooLargeError once it holds more
// than limit bytes. what names the answer in the error.
func ReadAll(r io.Reader, limit int64, what string) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, &TooLargeError{What: what, Limit: limit}
	}
	return b, nil
}
