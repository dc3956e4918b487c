package awsproto

import (
	"bytes"
	"strconv"
	"time"
)

// Time is a model timestamp. It is written as ISO 8601 in UTC with second
// precision ("2020-04-07T20:21:59Z"), as AWS writes createdDate, and read
// from ISO 8601 or epoch seconds, as the SDKs may send either.
type Time struct{ time.Time }

const isoSeconds = "2006-01-02T15:04:05Z"

func (t Time) MarshalJSON() ([]byte, error) {
	return []byte(`"` + t.UTC().Format(isoSeconds) + `"`), nil
}

func (t *Time) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		return nil
	}
	if len(b) > 0 && b[0] != '"' {
		secs, err := strconv.ParseFloat(string(b), 64)
		if err != nil {
			return err
		}
		t.Time = time.Unix(0, int64(secs*1e9)).UTC()
		return nil
	}
	s, err := strconv.Unquote(string(b))
	if err != nil {
		return err
	}
	p, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return err
	}
	t.Time = p.UTC()
	return nil
}

// Now is the current time at the precision AWS reports.
func Now() *Time { return &Time{time.Now().UTC().Truncate(time.Second)} }
