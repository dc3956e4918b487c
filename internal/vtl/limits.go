package vtl

import "time"

// Limits bound one execution of a template. Exceeding any of them ends the
// execution with an error (never a hang or an unbounded allocation): the data
// plane turns that into an integration failure.
type Limits struct {
	// MaxSteps bounds the work done: one step per node rendered, expression
	// evaluated, loop iteration and method call, plus one step per 64 bytes
	// of every string or collection the template builds. It is what keeps
	// memory bounded, since every allocation the template asks for costs steps.
	MaxSteps int
	// MaxOutput bounds the rendered output in bytes, and also the length of
	// any single string the template builds.
	MaxOutput int
	// MaxDepth bounds nesting at run time: macro calls, #define blocks and
	// string interpolation. (Printing or comparing values is bounded
	// separately, by the JSON depth limit, which only cyclic values reach.)
	MaxDepth int
	// Timeout bounds wall-clock time; the context's own deadline also applies.
	Timeout time.Duration
}

// DefaultLimits are used for every zero field of the Limits given to Execute.
// Output matches API Gateway's 10 MB payload limit; the others are far above
// what real mapping templates need (the benchmark's 20-line template with a
// 50-item #foreach over a 4 KB body takes about 1,500 steps).
var DefaultLimits = Limits{
	MaxSteps:  1_000_000,
	MaxOutput: 10 << 20,
	MaxDepth:  64,
	Timeout:   time.Second,
}

// MaxTemplateSize is the largest template Parse accepts: API Gateway's
// mapping-template quota is 300 KB (docs/aws-behaviours.md#templates).
const MaxTemplateSize = 300 * 1024

// maxParseDepth bounds nesting of blocks and expressions at parse time, so a
// hostile template cannot exhaust the parser's stack.
const maxParseDepth = 200

// maxJSONDepth bounds nesting when parsing a body or $util.parseJson input.
const maxJSONDepth = 512

// bytesPerStep is how many bytes of newly built strings or collection slots
// cost one step (see Limits.MaxSteps).
const bytesPerStep = 64

func (l Limits) withDefaults() Limits {
	if l.MaxSteps <= 0 {
		l.MaxSteps = DefaultLimits.MaxSteps
	}
	if l.MaxOutput <= 0 {
		l.MaxOutput = DefaultLimits.MaxOutput
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = DefaultLimits.MaxDepth
	}
	if l.Timeout <= 0 {
		l.Timeout = DefaultLimits.Timeout
	}
	return l
}
