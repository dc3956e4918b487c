package apigw

import "github.com/portico-dev/portico/internal/awsproto"

// echo is a value from a request as an error message repeats it: cut to 256
// runes, with "..." after a cut, so that a 7 MB tag key does not come back
// as a 7 MB error. Ids from the URI are bounded by the header limit, but
// body members are not.
func echo(s string) string { return awsproto.Echo(s) }
