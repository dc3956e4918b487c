package accesslog

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// fileName is the name of a log group's file in the log directory. Log
// group names have "/" in them (/aws/apigateway/...), and a group reaches
// here from a stage's configuration, so the name must not be able to leave
// the directory or alias another group's file whatever it holds:
//
//   - every byte other than A-Z a-z 0-9 _ - and "." is written %XX, so there
//     is no "/", "\", NUL, ":" or control byte left, and "%" itself is
//     escaped, which keeps distinct names distinct;
//   - a leading "." is written %2E: no ".", "..", or hidden file;
//   - Windows device names (CON, NUL, COM1...) get their first letter
//     escaped;
//   - a name with capitals gets "~" and a hash of the exact name, so that
//     "MyApi" and "myapi" stay two files on case-insensitive file systems
//     (macOS, Windows);
//   - a name whose escaped form is over 150 bytes is cut there and gets the
//     hash too: file names stay under the usual 255-byte limit.
//
// The form is Portico's own [I]; it reads back as the group's name in most
// cases ("%2Faws%2Fapigateway%2Fdev.log").
func fileName(group string) string {
	var b strings.Builder
	upper := false
	for i := 0; i < len(group); i++ {
		c := group[i]
		switch {
		case 'A' <= c && c <= 'Z':
			upper = true
			b.WriteByte(c)
		case 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_' || c == '-' || c == '.' && i > 0:
			b.WriteByte(c)
		default:
			const hexDigits = "0123456789ABCDEF"
			b.WriteByte('%')
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&15])
		}
	}
	name := b.String()
	if windowsDevice(name) {
		name = "%" + strings.ToUpper(hex.EncodeToString([]byte{name[0]})) + name[1:]
	}
	const maxBase = 150
	if len(name) > maxBase {
		cut := maxBase
		// Do not split a %XX escape.
		if i := strings.LastIndexByte(name[cut-2:cut], '%'); i >= 0 {
			cut = cut - 2 + i
		}
		name = name[:cut]
		upper = true
	}
	if upper {
		sum := sha256.Sum256([]byte(group))
		name += "~" + hex.EncodeToString(sum[:8])
	}
	return name + ".log"
}

// windowsDevice reports whether name, before any extension, is one of the
// names Windows keeps for devices in every directory.
func windowsDevice(name string) bool {
	base, _, _ := strings.Cut(strings.ToUpper(name), ".")
	switch base {
	case "CON", "PRN", "AUX", "NUL":
		return true
	}
	if len(base) == 4 && (strings.HasPrefix(base, "COM") || strings.HasPrefix(base, "LPT")) && '0' <= base[3] && base[3] <= '9' {
		return true
	}
	return false
}
