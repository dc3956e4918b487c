package inspect

import (
	"fmt"
	"net/url"
	"strconv"
	"time"
)

// Filter selects entries; an empty member matches everything.
type Filter struct {
	APIID, Stage, RouteKey, ConnectionID string
	Kind                                 Kind
	// Status is a status code ("404") or a class ("4xx").
	Status string
	// SinceSeq and SinceTime keep only entries after an entry or a time.
	SinceSeq  uint64
	SinceTime time.Time
}

// ParseFilter reads api, stage, route, connection, status, kind and
// since from a query (docs/inspector.md).
func ParseFilter(q url.Values) (Filter, error) {
	f := Filter{APIID: q.Get("api"), Stage: q.Get("stage"), RouteKey: q.Get("route"),
		ConnectionID: q.Get("connection"), Kind: Kind(q.Get("kind")), Status: q.Get("status")}
	switch f.Kind {
	case "", KindHTTP, KindConnect, KindMessage, KindDisconnect, KindPost, KindDelete:
	default:
		return f, fmt.Errorf("kind %q: want http, connect, message, disconnect, post or delete", f.Kind)
	}
	if s := f.Status; s != "" {
		if n, err := strconv.Atoi(s); err != nil || n < 100 || n > 599 {
			if !statusClass(s, int(s[0]-'0')*100) {
				return f, fmt.Errorf("status %q: want a status code (404) or a class (4xx)", s)
			}
		}
	}
	if s := q.Get("since"); s != "" {
		if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
			f.SinceTime = t
		} else if n, err := strconv.ParseUint(s, 10, 64); err == nil {
			f.SinceSeq = n
		} else {
			return f, fmt.Errorf("since %q: want an entry id or an RFC 3339 time", s)
		}
	}
	return f, nil
}

// Match reports whether e passes the filter (since apart).
func (f *Filter) Match(e *Entry) bool {
	switch {
	case f.APIID != "" && e.APIID != f.APIID,
		f.Stage != "" && e.Stage != f.Stage,
		f.RouteKey != "" && e.RouteKey != f.RouteKey,
		f.ConnectionID != "" && e.ConnectionID != f.ConnectionID,
		f.Kind != "" && e.Kind != f.Kind:
		return false
	}
	if f.Status != "" && strconv.Itoa(e.Status) != f.Status && !statusClass(f.Status, e.Status) {
		return false
	}
	return true
}
