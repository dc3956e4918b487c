package accesslog

import (
	"bytes"
	"io"
)

// tailChunk is how much lastLines reads at a time, from the end backwards.
// maxTailLine bounds a line it collects: the Sink's entries are at most
// MaxEntryBytes, and a longer line means a file Portico did not write,
// which is read no further [I]. Without the bound, a file of one long line
// would cost time quadratic in its size.
const (
	tailChunk   = 64 << 10
	maxTailLine = 1 << 20
)

// lastLines reads up to need lines from the end of the first size bytes of
// r, newest first, reading at most budget bytes. A final line without its
// "\n" (a write cut short by a crash) counts as a line. It returns the
// lines and the bytes it read.
func lastLines(r io.ReaderAt, size int64, need int, budget int64) ([]string, int64, error) {
	var out []string
	var read int64
	var buf []byte
	var carry []byte // the end of a line whose start is further back
	pos := size
	first := true
	for pos > 0 && len(out) < need && read < budget {
		n := min(int64(tailChunk), pos, budget-read)
		pos -= n
		if int64(cap(buf)) < n {
			buf = make([]byte, n)
		}
		buf = buf[:n]
		if _, err := r.ReadAt(buf, pos); err != nil && err != io.EOF {
			return out, read, err
		}
		read += n
		data := append(buf, carry...)
		if first {
			// The file's last byte is the last entry's "\n", not the start
			// of an empty entry.
			data = bytes.TrimSuffix(data, []byte{'\n'})
			first = false
		}
		end := len(data)
		for i := end - 1; i >= 0 && len(out) < need; i-- {
			if data[i] == '\n' {
				out = append(out, string(data[i+1:end]))
				end = i
			}
		}
		if end > maxTailLine {
			return out, read, nil
		}
		carry = append(carry[:0:0], data[:end]...)
	}
	if pos == 0 && len(out) < need && (len(carry) > 0 || size > 0 && !first) {
		out = append(out, string(carry))
	}
	return out, read, nil
}
