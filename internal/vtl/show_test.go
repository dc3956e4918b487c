package vtl

import (
	"fmt"
	"os"
	"testing"
)

// TestShow prints a golden file's actual output (VTL_SHOW=path); a tool for
// writing cases, skipped otherwise.
func TestShow(t *testing.T) {
	path := os.Getenv("VTL_SHOW")
	if path == "" {
		t.Skip("set VTL_SHOW=testdata/x.vtltest")
	}
	c := readGolden(t, path)
	got, err := c.run(t)
	fmt.Printf("%s", got)
	if err != nil {
		fmt.Printf("ERROR: %v", err)
	}
}
