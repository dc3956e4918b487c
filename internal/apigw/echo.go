package apigw

// maxEcho is how many runes of a request's value an error message repeats.
const maxEcho = 256

// echo is a value from a request as an error message repeats it: cut to 256
// runes, with "..." after a cut, so that a 7 MB tag key does not come back
// as a 7 MB error. Ids from the URI are bounded by the header limit, but
// body members are not. (awsproto.Echo is to replace this; same behaviour.)
func echo(s string) string {
	if len(s) <= maxEcho {
		return s // at most maxEcho bytes, so at most maxEcho runes
	}
	n := 0
	for i := range s {
		if n == maxEcho {
			return s[:i] + "..."
		}
		n++
	}
	return s
}
